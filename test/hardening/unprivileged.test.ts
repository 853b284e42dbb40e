// Handing a project copy to the unprivileged user (unprivileged.ts) changes only the copy and the
// directory above it when that is the tests' own: the system's temporary directory keeps its mode
// (1777). It once set that directory to 0755, which broke apt and every other user of /tmp.
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/project.js';
import { handToUnprivileged } from './unprivileged.js';

const mode = (p: string) => statSync(p).mode & 0o7777;

describe('handToUnprivileged', () => {
  it('leaves the system temporary directory as it was', () => {
    const before = mode(tmpdir());
    handToUnprivileged(tempDir());
    expect(mode(tmpdir())).toBe(before);
  });

  it('lets the user search a private directory above the copy, and changes nothing else of it', () => {
    const above = tempDir(); // mkdtemp: 0700
    const root = join(above, 'project');
    mkdirSync(root);
    handToUnprivileged(root);
    expect(mode(above)).toBe(process.getuid?.() === 0 ? 0o711 : 0o700);
  });
});

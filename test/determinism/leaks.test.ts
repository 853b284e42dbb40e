// Nothing about the machine or the moment leaks into generated/: every file is LF-only UTF-8 text
// ending in one newline, and holds no absolute path of the host (the project's own location, the
// temporary directory, home directories), no user name and no date or time of the run.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { homedir, hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { definitionSources, definitionsOnlyProject, readFiles } from '../helpers/project.js';

const root = definitionsOnlyProject();
const run = spawnSync(process.execPath, [CLI, 'generate', '-q', '--root', root], { encoding: 'utf8' });
const files = readFiles(join(root, 'generated'));
const definitions = [...definitionSources().values()].join('\n');

/** Where each file mentions the string, as "file:line: text" (for readable failures). */
function mentions(s: string): string[] {
  return [...files].flatMap(([p, text]) => text.split('\n').flatMap((line, i) => (line.includes(s) ? [`${p}:${i + 1}: ${line.trim()}`] : [])));
}

describe('generated files hold nothing of the host or the run', () => {
  it('generate succeeded', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(files.size).toBeGreaterThan(0);
  });

  it('every file is LF-only text ending in exactly one newline', () => {
    for (const [p, text] of files) {
      expect(text.includes('\r'), p).toBe(false);
      expect(text.endsWith('\n') && !text.endsWith('\n\n'), p).toBe(true);
      expect(text.includes('\uFFFD'), p).toBe(false);
    }
  });

  it('the project directory, the temporary directory and the home directory appear nowhere', () => {
    expect(mentions(root)).toEqual([]);
    expect(mentions(realpathSync(root))).toEqual([]);
    // A home or temporary directory that is also an image path (root's home is /root) is checked
    // by the path tests below instead.
    for (const dir of new Set([tmpdir(), realpathSync(tmpdir()), homedir()])) if (!definitions.includes(dir)) expect(mentions(dir), dir).toEqual([]);
  });

  it('the user and host names appear nowhere', () => {
    const names = [userInfo().username, hostname()].filter((n) => n.length >= 4);
    for (const n of names) expect(mentions(n).filter((m) => !definitions.includes(n)), n).toEqual([]);
  });

  it('/tmp/ and /home/ appear only in paths the definitions name (the builder-side step script aside)', () => {
    for (const dir of ['/tmp/', '/home/']) {
      const found = mentions(dir).filter((m) => !m.includes('/tmp/almac-step.sh'));
      // Every mention must be a path a definition names; otherwise it came from the host.
      for (const m of found) expect(definitions.includes(dir), m).toBe(true);
    }
  });

  it('/root/ appears only where a definition puts something into root\'s home', () => {
    const rootPaths = new Set([...definitions.matchAll(/(?<![\w-])\/root\/[^\s\]"]*/g)].map((m) => m[0]));
    for (const m of mentions('/root/')) {
      // Inside the image root it is written "$root"/root/… or /mnt/sys-root/root/…, never bare.
      expect([...rootPaths].some((p) => m.includes(`sys-root${p}`) || m.includes(`"$root"${p}`) || m.includes(`'${p}`)), m).toBe(true);
    }
  });

  it('no date or time of the run appears (tags keep the {date} placeholder)', () => {
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const [y, m, d] = [now.getUTCFullYear(), pad(now.getUTCMonth() + 1), pad(now.getUTCDate())];
    for (const stamp of [`${y}-${m}-${d}`, `${y}${m}${d}`, `${d}/${m}/${y}`, `${m}/${d}/${y}`]) expect(mentions(stamp)).toEqual([]);
    expect([...files.values()].join('\n')).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/);
    expect(mentions('{date}').length).toBeGreaterThan(0);
  });
});

// `almac fmt` as users run it, on temporary copies of the project.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDefinitionFiles } from '../../src/project.js';
import { REPO_ROOT, copyProject, runCli } from '../helpers/project.js';

const BASE = 'definitions/images/base.alma';
const MINIMAL = 'definitions/images/minimal.alma';
const FILES = findDefinitionFiles(REPO_ROOT).length;

/** The same definition laid out carelessly: odd indentation, a list on one line, CRLF endings. */
function mangle(text: string): string {
  return text.replace(/^ {2}/gm, '\t   ').replace(/\[\n\s*/g, '[').replace(/\n\s*\]/g, ']').replace(/\n(\s*)(?=[a-z])/g, '\n$1 ').replace(/\n/g, '\r\n');
}

describe('almac fmt', async () => {
  it('finds nothing to do in the committed definitions', async () => {
    const r = await runCli(['fmt', '--check']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('--check lists the files that would change, changes nothing and exits 1', async () => {
    const root = copyProject();
    const mangled = mangle(readFileSync(join(root, BASE), 'utf8'));
    writeFileSync(join(root, BASE), mangled);
    const r = await runCli(['fmt', '--check', '--root', root]);
    expect(r.stdout).toBe(`${BASE}\n`);
    expect(r.stderr).toContain(`1 of ${FILES} files would be reformatted`);
    expect(r.code).toBe(1);
    expect(readFileSync(join(root, BASE), 'utf8')).toBe(mangled);
  });

  it('rewrites a file to the canonical layout, keeping its mode, and then has nothing left to do', async () => {
    const root = copyProject();
    const committed = readFileSync(join(root, BASE), 'utf8');
    writeFileSync(join(root, BASE), '\uFEFF' + mangle(committed));
    chmodSync(join(root, BASE), 0o640);
    const r = await runCli(['fmt', '--root', root]);
    expect(r.stdout).toBe(`reformatted ${BASE}\n1 file reformatted, ${FILES - 1} already formatted.\n`);
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, BASE), 'utf8')).toBe(committed);
    expect(statSync(join(root, BASE)).mode & 0o777).toBe(0o640);
    expect((await runCli(['fmt', '--check', '--root', root])).code).toBe(0);
    // Layout was all that changed: generated/ still matches.
    expect((await runCli(['check', '--root', root])).code).toBe(0);
  });

  it('formats only the files and directories it is given, relative to the current directory', async () => {
    const root = copyProject();
    for (const f of [BASE, MINIMAL]) writeFileSync(join(root, f), mangle(readFileSync(join(root, f), 'utf8')));
    const r = await runCli(['fmt', '--check', '--root', root, 'images/minimal.alma'], { cwd: join(root, 'definitions') });
    expect(r.stdout).toBe(`${MINIMAL}\n`);
    const missing = await runCli(['fmt', '--check', '--root', root, 'images/nowhere.alma'], { cwd: join(root, 'definitions') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: no such file or directory: images/nowhere.alma\n');
    const all = await runCli(['fmt', '--check', '--root', root, join(root, 'definitions/images')]);
    expect(all.stdout).toBe(`${BASE}\n${MINIMAL}\n`);
  });

  it('refuses a file with syntax errors, leaves it untouched, and still formats the others', async () => {
    const root = copyProject();
    const broken = 'image broken {\n  install [a, b\n}\n';
    writeFileSync(join(root, 'definitions/images/broken.alma'), broken);
    writeFileSync(join(root, MINIMAL), mangle(readFileSync(join(root, MINIMAL), 'utf8')));
    const r = await runCli(['fmt', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E010]');
    expect(r.stderr).toContain('--> definitions/images/broken.alma:3:1');
    expect(r.stderr).toContain('definitions/images/broken.alma was left untouched.');
    expect(r.stdout).toContain(`reformatted ${MINIMAL}`);
    expect(readFileSync(join(root, 'definitions/images/broken.alma'), 'utf8')).toBe(broken);
  });

  it('reports per file in JSON', async () => {
    const root = copyProject();
    writeFileSync(join(root, MINIMAL), mangle(readFileSync(join(root, MINIMAL), 'utf8')));
    writeFileSync(join(root, 'definitions/bad.alma'), Buffer.from([0x69, 0x6d, 0xff, 0x0a]));
    const r = await runCli(['fmt', '--check', '--json', '--root', root]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; check: boolean; files: { path: string; status: string; diagnostics?: { code: string; message: string }[] }[] };
    expect(out.ok).toBe(false);
    expect(out.check).toBe(true);
    const status = Object.fromEntries(out.files.map((f) => [f.path, f.status]));
    expect(status[MINIMAL]).toBe('would-reformat');
    expect(status[BASE]).toBe('unchanged');
    expect(status['definitions/bad.alma']).toBe('error');
    expect(out.files.find((f) => f.path === 'definitions/bad.alma')!.diagnostics).toEqual([expect.objectContaining({ code: 'E101', message: 'this file is not valid UTF-8' })]);
    expect(out.files).toHaveLength(FILES + 1);
  });
});

// The bytes of generated/ depend on the definitions and nothing else about the run: not on the
// order the file system lists directories in, the umask, the directory almac is started from or
// how --root is spelled, the user's HOME, TMPDIR or locale, nor on whether the templates were
// precompiled by the build. Each case runs the real CLI (bin/almac.js → dist/) in a fresh copy of
// the project and compares the whole tree, byte for byte, with a reference made in-process from
// src/. (test/golden/determinism.test.ts covers input order in-process, time zones and locales.)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { definitionsOnlyProject, readFilesBytes, tempDir } from '../helpers/project.js';

const referenceRoot = definitionsOnlyProject();
const reference = compileProject(referenceRoot).outputs!;
const referenceBytes = new Map([...reference].map(([p, t]) => [p, Buffer.from(t, 'utf8')]));

interface Run {
  code: number | null;
  stderr: string;
}

/** Runs the CLI through sh, so that the shell can set the umask first. */
function almac(args: string[], opts: { cwd?: string; env?: Record<string, string>; umask?: string; preload?: string } = {}): Promise<Run> {
  const node = [process.execPath, ...(opts.preload ? ['--import', opts.preload] : []), CLI, ...args];
  const script = `umask ${opts.umask ?? '022'} && exec "$@"`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  delete env['FORCE_COLOR'];
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', ...node], { cwd: opts.cwd ?? referenceRoot, env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function expectReferenceTree(root: string): void {
  const tree = readFilesBytes(join(root, 'generated'));
  expect([...tree.keys()].sort()).toEqual([...referenceBytes.keys()].sort());
  for (const [p, bytes] of referenceBytes) expect(tree.get(p)!.equals(bytes), p).toBe(true);
}

/**
 * A module for `node --import` that makes readdirSync return entries in another order (reversed,
 * or shuffled by a seed) and reports on stderr how many listings it reordered.
 */
function reorderingPreload(): string {
  const file = join(tempDir(), 'reorder-readdir.mjs');
  writeFileSync(
    file,
    `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const original = fs.readdirSync;
const mode = process.env.READDIR_ORDER;
let seed = Number(process.env.READDIR_SEED ?? 1);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
let reordered = 0;
fs.readdirSync = function (...args) {
  const entries = original.apply(this, args);
  if (!Array.isArray(entries) || entries.length < 2) return entries;
  reordered++;
  const out = [...entries];
  if (mode === 'reverse') return out.reverse();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};
syncBuiltinESMExports();
process.on('exit', () => process.stderr.write('reordered ' + reordered + ' listings\\n'));
`,
  );
  return file;
}

describe.concurrent('generated/ is the same whatever the file system order', () => {
  const preload = reorderingPreload();
  it.each([
    ['reversed', { READDIR_ORDER: 'reverse' }],
    ['shuffled (seed 1)', { READDIR_ORDER: 'shuffle', READDIR_SEED: '1' }],
    ['shuffled (seed 2)', { READDIR_ORDER: 'shuffle', READDIR_SEED: '2' }],
  ])('directory listings %s', async (_, env) => {
    const root = definitionsOnlyProject();
    const r = await almac(['generate', '-q', '--root', root], { preload, env });
    expect(r.code).toBe(0);
    // The reordering really happened (definitions/ and its subdirectories were listed).
    expect(Number(/reordered (\d+) listings/.exec(r.stderr)?.[1])).toBeGreaterThan(0);
    expectReferenceTree(root);
  });
});

describe.concurrent('generated/ is the same whatever the process environment', () => {
  it('under umask 077, and no generated file is executable', async () => {
    const root = definitionsOnlyProject();
    expect((await almac(['generate', '-q', '--root', root], { umask: '077' })).code).toBe(0);
    expectReferenceTree(root);
    for (const p of reference.keys()) expect(statSync(join(root, 'generated', p)).mode & 0o111).toBe(0);
  });

  it('under umask 000, and no generated file is executable', async () => {
    const root = definitionsOnlyProject();
    expect((await almac(['generate', '-q', '--root', root], { umask: '000' })).code).toBe(0);
    expectReferenceTree(root);
    for (const p of reference.keys()) expect(statSync(join(root, 'generated', p)).mode & 0o111).toBe(0);
  });

  it('with another HOME, USER, TMPDIR, time zone and locale', async () => {
    const root = definitionsOnlyProject();
    const home = tempDir('almac-home-');
    const env = { HOME: home, USER: 'someone-else', LOGNAME: 'someone-else', TMPDIR: home, TZ: 'Asia/Kathmandu', LANG: 'ja_JP.UTF-8', LC_ALL: 'ja_JP.UTF-8', SOURCE_DATE_EPOCH: '0' };
    expect((await almac(['generate', '-q', '--root', root], { env })).code).toBe(0);
    expectReferenceTree(root);
  });
});

describe.concurrent('generated/ is the same wherever almac is started from', () => {
  it('from the project directory, without --root', async () => {
    const root = definitionsOnlyProject();
    expect((await almac(['generate', '-q'], { cwd: root })).code).toBe(0);
    expectReferenceTree(root);
  });

  it('from a subdirectory, with a relative --root', async () => {
    const root = definitionsOnlyProject();
    expect((await almac(['generate', '-q', '--root', '../..'], { cwd: join(root, 'definitions', 'images') })).code).toBe(0);
    expectReferenceTree(root);
  });

  it('from elsewhere, with --root=PATH', async () => {
    const root = definitionsOnlyProject();
    const elsewhere = tempDir();
    expect((await almac(['generate', '-q', `--root=${relative(elsewhere, root)}`], { cwd: elsewhere })).code).toBe(0);
    expectReferenceTree(root);
  });

  it('through a symbolic link to the project', async () => {
    const root = definitionsOnlyProject();
    const link = join(tempDir(), 'linked-project');
    symlinkSync(root, link);
    expect((await almac(['generate', '-q', '--root', link])).code).toBe(0);
    expectReferenceTree(root);
  });
});

describe('generated/ is the same however it was produced', () => {
  it('the CLI with precompiled templates and the compiler run from src/ agree', async () => {
    // The reference was rendered in-process from src/, where templates are compiled at run time.
    // A private copy of the installation gets the build step that precompiles them (the shared
    // dist/ is left alone: other tests run it concurrently).
    const install = tempDir('almac-install-');
    for (const d of ['bin', 'dist', 'templates', 'scripts']) cpSync(join(REPO_ROOT, d), join(install, d), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(install, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(install, 'node_modules'));
    const build = spawnSync(process.execPath, [join(install, 'scripts', 'build-templates.mjs')], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    expect(existsSync(join(install, 'dist', 'phases', '4-render', 'templates.precompiled.cjs'))).toBe(true);
    const root = definitionsOnlyProject();
    const r = spawnSync(process.execPath, [join(install, 'bin', 'almac.js'), 'generate', '-q', '--root', root], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectReferenceTree(root);
  });

  it('a second generate changes nothing, and check passes in another environment', async () => {
    const root = definitionsOnlyProject();
    expect((await almac(['generate', '-q', '--root', root])).code).toBe(0);
    const before = readFilesBytes(join(root, 'generated'));
    expect((await almac(['generate', '-q', '--root', root], { umask: '077', env: { TZ: 'Pacific/Kiritimati' } })).code).toBe(0);
    expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
    expect((await almac(['check', '-q', '--root', root], { env: { LANG: 'C', LC_ALL: 'C' } })).code).toBe(0);
  });

  it('definitions with CRLF line endings and a byte-order mark give the same bytes (LF only)', async () => {
    const root = definitionsOnlyProject();
    for (const f of readFilesBytes(join(root, 'definitions')).keys()) {
      const path = join(root, 'definitions', f);
      writeFileSync(path, `\uFEFF${readFileSync(path, 'utf8').replace(/\n/g, '\r\n')}`);
    }
    expect((await almac(['generate', '-q', '--root', root])).code).toBe(0);
    expectReferenceTree(root);
  });
});

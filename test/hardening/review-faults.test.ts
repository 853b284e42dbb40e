// Regression tests for the faults a hostile review of almac found (each failed before its fix).
// The numbers are those of the review: 1 unreadable definitions, 3 special files in generated/,
// 4 hand edits check missed, 6 a read-only generated/, 7 non-UTF-8 file names, 8 stack overflow
// on large input, 9 bidi and invisible characters, 10 I/O errors such as ENOSPC.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { freshProject, readFilesBytes, runCli, tempDir } from '../helpers/project.js';
import { canRunUnprivileged, handToUnprivileged, runCliUnprivileged } from './unprivileged.js';

const generated = (root: string) => join(root, 'generated');
const siblings = (root: string) => readdirSync(root).sort();
/** The project's file modes, to show a failed run changed none of them. */
const modes = (dir: string) => {
  const out: Record<string, number> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d)) {
      const st = lstatSync(join(d, e));
      out[rel + e] = st.mode;
      if (st.isDirectory()) walk(join(d, e), `${rel}${e}/`);
    }
  };
  walk(dir, '');
  return out;
};
/** A change to a definition that changes generated files (so generate has something to write). */
const editDefinition = (root: string) => {
  const def = join(root, 'definitions', 'images', 'init.alma');
  writeFileSync(def, readFileSync(def, 'utf8').replace('stopsignal SIGRTMIN+3', 'stopsignal SIGTERM'));
};
const addImage = (root: string, text: string) => writeFileSync(join(root, 'definitions', 'images', 'probe.alma'), text);

const unprivileged = describe.runIf(canRunUnprivileged);

unprivileged('failure 1: unreadable definitions are an error, never skipped', () => {
  const cases: [string, (root: string) => void, string][] = [
    ['an unreadable directory (chmod 000)', (r) => chmodSync(join(r, 'definitions', 'images'), 0o000), 'definitions/images'],
    ['a readable but unsearchable directory (chmod 644)', (r) => chmodSync(join(r, 'definitions', 'images'), 0o644), 'definitions/images'],
    ['an unreadable file', (r) => chmodSync(join(r, 'definitions', 'images', 'base.alma'), 0o000), 'definitions/images/base.alma'],
    ['an unreadable definitions/', (r) => chmodSync(join(r, 'definitions'), 0o000), 'definitions'],
  ];
  for (const [what, breakIt, named] of cases) {
    it(`${what}: generate and check exit 3 naming it, generated/ untouched`, async ({ expect }) => {
      const root = freshProject();
      handToUnprivileged(root);
      breakIt(root);
      const before = readFilesBytes(generated(root));
      const gen = await runCliUnprivileged(['generate', '--root', root]);
      expect(gen.code, gen.stderr).toBe(3);
      expect(gen.stderr).toContain(`${named}`);
      expect(gen.stderr).toMatch(/permission denied/i);
      expect(gen.stderr).toContain('generated/ was left as it was');
      expect(readFilesBytes(generated(root))).toEqual(before);
      const check = await runCliUnprivileged(['check', '--root', root]);
      expect(check.code, check.stderr).toBe(3);
      expect(check.stderr).toContain(named);
    });
  }

  it('an unreadable directory in generated/: exit 3 naming it, nothing written', async ({ expect }) => {
    const root = freshProject();
    handToUnprivileged(root);
    editDefinition(root);
    chmodSync(join(generated(root), 'kickstarts'), 0o000);
    const check = await runCliUnprivileged(['check', '--root', root]);
    expect(check.code, check.stderr).toBe(3);
    expect(check.stderr).toContain('generated/kickstarts');
    const gen = await runCliUnprivileged(['generate', '--root', root]);
    expect(gen.code, gen.stderr).toBe(3);
    expect(gen.stderr).toContain('generated/kickstarts');
    chmodSync(join(generated(root), 'kickstarts'), 0o755);
    expect(siblings(root).filter((n) => n.startsWith('generated'))).toEqual(['generated']);
    expect((await runCli(['check', '--root', root])).code).toBe(1); // still the old tree: stale
  });
});

describe.concurrent('failure 3: special files in generated/ are reported, never opened', () => {
  it('a FIFO: check reports it and generate replaces it, neither hangs', async ({ expect }) => {
    const root = freshProject();
    expect(spawnSync('mkfifo', [join(generated(root), 'fifo')]).status).toBe(0);
    const check = await runCliUnprivileged(['check', '--root', root], { timeoutMs: 20_000, privileged: true });
    expect(check.signal).toBeNull();
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/orphan +generated\/fifo +\(a FIFO/);
    const gen = await runCliUnprivileged(['generate', '--root', root], { timeoutMs: 20_000, privileged: true });
    expect(gen.signal).toBeNull();
    expect(gen.code, gen.stderr).toBe(0);
    expect(existsSync(join(generated(root), 'fifo'))).toBe(false);
  });

  it('a socket', async ({ expect }) => {
    const root = freshProject();
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(generated(root), 'containerfiles', 'sock'), r));
    try {
      const check = await runCliUnprivileged(['check', '--root', root], { timeoutMs: 20_000, privileged: true });
      expect(check.code).toBe(1);
      expect(check.stderr).toMatch(/orphan +generated\/containerfiles\/sock +\(a socket/);
    } finally {
      server.close();
    }
  });
});

describe.concurrent('failure 4: check sees mode changes, empty directories and a symlinked generated/', { timeout: 180_000 }, () => {
  const file = 'containerfiles/9/Containerfile.base';
  for (const mode of [0o755, 0o666, 0o4755, 0o000]) {
    it(`a generated file with mode ${mode.toString(8).padStart(4, '0')} (also after a clean memo)`, async ({ expect }) => {
      const root = freshProject();
      expect((await runCli(['check', '--root', root])).code).toBe(0); // records the memo
      chmodSync(join(generated(root), file), mode);
      const check = await runCli(['check', '--root', root]);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain(`stale     generated/${file}  (mode ${mode.toString(8).padStart(4, '0')}, expected 0644)`);
      const gen = await runCli(['generate', '--root', root]);
      expect(gen.code, gen.stderr).toBe(0);
      expect(statSync(join(generated(root), file)).mode & 0o7777).toBe(0o644);
      expect((await runCli(['check', '--root', root])).code).toBe(0);
    });
  }

  it('a generated directory with mode 0777', async ({ expect }) => {
    const root = freshProject();
    chmodSync(join(generated(root), 'containerfiles', '9'), 0o777);
    const check = await runCli(['check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('generated/containerfiles/9/  (mode 0777, expected 0755)');
    expect((await runCli(['generate', '--root', root])).code).toBe(0);
    expect(statSync(join(generated(root), 'containerfiles', '9')).mode & 0o7777).toBe(0o755);
  });

  it('generate writes canonical modes whatever the umask', async ({ expect }) => {
    const root = freshProject();
    rmSync(generated(root), { recursive: true });
    const r = spawnSync('sh', ['-c', `umask 077 && exec "${process.execPath}" bin/almac.js generate --root "${root}"`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const all = modes(generated(root));
    for (const [p, m] of Object.entries(all)) expect([p, m & 0o7777]).toEqual([p, lstatSync(join(generated(root), p)).isDirectory() ? 0o755 : 0o644]);
    expect(statSync(generated(root)).mode & 0o7777).toBe(0o755);
  });

  it('an added empty directory', async ({ expect }) => {
    const root = freshProject();
    expect((await runCli(['check', '--root', root])).code).toBe(0);
    mkdirSync(join(generated(root), 'containerfiles', '11'));
    const check = await runCli(['check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/orphan +generated\/containerfiles\/11\/ +\(an empty directory/);
    expect((await runCli(['generate', '--root', root])).code).toBe(0);
    expect(existsSync(join(generated(root), 'containerfiles', '11'))).toBe(false);
  });

  it('generated/ replaced by a symbolic link to a copy outside the project', async ({ expect }) => {
    const root = freshProject();
    const elsewhere = join(tempDir(), 'copy');
    cpSync(generated(root), elsewhere, { recursive: true });
    rmSync(generated(root), { recursive: true });
    symlinkSync(elsewhere, generated(root));
    for (const verb of ['check', 'generate']) {
      const r = await runCli([verb, '--root', root]);
      expect(r.code, `${verb}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain('generated is a symbolic link');
    }
    expect(lstatSync(generated(root)).isSymbolicLink()).toBe(true);
  });
});

unprivileged('failure 6: a read-only generated/', () => {
  it('gets a clear error before anything is swapped', async ({ expect }) => {
    const root = freshProject();
    handToUnprivileged(root);
    editDefinition(root);
    spawnSync('chmod', ['-R', 'a-w', generated(root)]);
    const before = readFilesBytes(generated(root));
    const beforeModes = modes(generated(root));
    const gen = await runCliUnprivileged(['generate', '--root', root]);
    expect(gen.code, gen.stderr).toBe(3);
    expect(gen.stderr).toMatch(/generated(\/\S*)? is not writable/);
    expect(gen.stderr).toContain('generated/ was left as it was');
    expect(readFilesBytes(generated(root))).toEqual(before);
    expect(modes(generated(root))).toEqual(beforeModes);
    expect(siblings(root)).toEqual(['.almac', 'definitions', 'generated']);
    const check = await runCliUnprivileged(['check', '--root', root]);
    expect(check.code).toBe(1); // stale, as it was
  });

  it('generate recovers from read-only trash an earlier failure left', async ({ expect }) => {
    const root = freshProject();
    editDefinition(root);
    const trash = join(root, 'generated.almac-trash-2147483646-0');
    cpSync(generated(root), trash, { recursive: true });
    handToUnprivileged(root);
    spawnSync('chmod', ['-R', 'a-w', trash]);
    const gen = await runCliUnprivileged(['generate', '--root', root]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(siblings(root)).toEqual(['.almac', 'definitions', 'generated']);
    expect((await runCliUnprivileged(['check', '--root', root])).code).toBe(0);
  });
});

describe.concurrent('failure 7: a definition file name that is not valid UTF-8', () => {
  it('gets a diagnostic naming it with its bytes escaped', async ({ expect }) => {
    const root = freshProject();
    const name = Buffer.concat([Buffer.from(join(root, 'definitions', 'images', 'bad')), Buffer.from([0xff, 0xfe]), Buffer.from('.alma')]);
    writeFileSync(name, 'image {{{ broken\n');
    const before = readFilesBytes(generated(root));
    for (const verb of ['check', 'generate']) {
      const r = await runCli([verb, '--root', root]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('error[E104]');
      expect(r.stderr).toContain('definitions/images/bad\\x{ff}\\x{fe}.alma');
    }
    expect(readFilesBytes(generated(root))).toEqual(before);
  });
});

// One at a time, with room: each compiles megabytes (a loaded CI machine is slow, and no test asserts time).
describe('failure 8: large input never overflows the stack', { timeout: 240_000 }, () => {
  it('a list of 300,000 items on one line', async ({ expect }) => {
    const root = freshProject();
    const items = Array.from({ length: 300_000 }, (_, i) => `pkg${i}`).join(', ');
    addImage(root, `image probe extends minimal {\n  releases [9]\n  install [${items}]\n}\n`);
    const r = await runCli(['generate', '--root', root]);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    expect(readFileSync(join(generated(root), 'containerfiles', '9', 'Containerfile.probe'), 'utf8')).toMatch(/ pkg299999\b/);
  });

  it('a 10 MB string literal', async ({ expect }) => {
    const root = freshProject();
    addImage(root, `image probe extends minimal {\n  releases [9]\n  post {\n    write /etc/big "${'x'.repeat(10 * 1024 * 1024)}"\n  }\n}\n`);
    const r = await runCli(['generate', '--root', root]);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    expect(readFileSync(join(generated(root), 'containerfiles', '9', 'Containerfile.probe'), 'utf8')).toContain('x'.repeat(10 * 1024 * 1024));
  });

  it('an unterminated 10 MB string literal', async ({ expect }) => {
    const root = freshProject();
    addImage(root, `image probe extends minimal {\n  releases [9]\n  post {\n    write /etc/big "${'\\"'.repeat(5 * 1024 * 1024)}\n  }\n}\n`);
    const r = await runCli(['check', '--root', root]);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('definitions/images/probe.alma:4:');
  });
});

describe.concurrent('failure 9: bidi and invisible characters', () => {
  for (const [name, ch] of [['U+202E RIGHT-TO-LEFT OVERRIDE', '\u202e'], ['U+200B ZERO WIDTH SPACE', '\u200b']] as const) {
    it(`${name} in a path is rejected and shown escaped`, async ({ expect }) => {
      const root = freshProject();
      addImage(root, `image probe extends minimal {\n  releases [9]\n  post {\n    write /etc/motd${ch}hs.txt "hello"\n    symlink /etc/x -> /usr/bin/a${ch}b\n  }\n}\n`);
      const r = await runCli(['check', '--root', root]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error[E310]');
      expect(r.stderr).toMatch(/bidirectional or invisible/);
      expect(r.stderr).not.toContain(ch);
      const esc = `\\u{${ch.codePointAt(0)!.toString(16)}}`;
      expect(r.stderr).toContain(`/etc/motd${esc}hs.txt`);
      expect(r.stderr.split('error[E310]').length - 1).toBe(2);
    });

    it(`${name} in a definition file name is rejected`, async ({ expect }) => {
      const root = freshProject();
      writeFileSync(join(root, 'definitions', 'images', `x${ch}.alma`), '');
      const r = await runCli(['check', '--root', root]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error[E103]');
      expect(r.stderr).not.toContain(ch);
    });
  }

  it('in file content they reach the generated files escaped, never raw', async ({ expect }) => {
    const root = freshProject();
    addImage(root, `image probe extends minimal {\n  releases [9]\n  post {\n    write /etc/motd "abc\u202edef\u200b"\n  }\n}\n`);
    const r = await runCli(['generate', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['containerfiles/9/Containerfile.probe', 'kickstarts/almalinux-9-probe.ks']) {
      const text = readFileSync(join(generated(root), f), 'utf8');
      expect(text).not.toMatch(/[\u202e\u200b]/);
      expect(text).toContain('abc\\342\\200\\256def\\342\\200\\213');
    }
  });
});

describe('failure 10: an I/O error names the file and says generated/ was left as it was', () => {
  const mounts: string[] = [];
  afterAll(() => mounts.forEach((m) => spawnSync('umount', [m])));

  /** A project on a tmpfs too small for a second generated/, or undefined where no tmpfs can be mounted. */
  function projectOnSmallDisk(): string | undefined {
    const dir = tempDir();
    const src = freshProject();
    // room for the project and half of a second generated/ (sizes as du counts them, in KiB)
    const kib = (p: string) => Number(spawnSync('du', ['-sk', p]).stdout.toString().split('\t')[0]);
    const size = kib(src) + Math.floor(kib(join(src, 'generated')) / 2);
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}k`, 'tmpfs', dir]).status !== 0) return undefined;
    mounts.push(dir);
    const root = join(dir, 'p');
    cpSync(src, root, { recursive: true });
    return root;
  }

  it('ENOSPC on a full disk (a small tmpfs; injected where none can be mounted)', async ({ expect }) => {
    let root = projectOnSmallDisk();
    let env: Record<string, string> = {};
    if (!root) {
      root = freshProject();
      const preload = join(tempDir(), 'enospc.mjs');
      writeFileSync(
        preload,
        `import fs from 'node:fs'; import { syncBuiltinESMExports } from 'node:module';
const write = fs.writeSync; let n = 0;
fs.writeSync = function (fd, ...rest) { if (++n > 20) { const e = new Error('ENOSPC: no space left on device, write'); e.code = 'ENOSPC'; e.errno = -28; e.syscall = 'write'; throw e; } return write.call(this, fd, ...rest); };
syncBuiltinESMExports();\n`,
      );
      env = { NODE_OPTIONS: `--import=${preload}` };
    }
    editDefinition(root);
    rmSync(join(root, '.almac'), { recursive: true, force: true });
    const before = readFilesBytes(generated(root));
    const r = await runCli(['generate', '--root', root], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot write generated\/\S+: no space left on device \(ENOSPC\)/);
    expect(r.stderr).toContain('generated/ was left as it was');
    expect(readFilesBytes(generated(root))).toEqual(before);
    expect(siblings(root).filter((n) => n.startsWith('generated'))).toEqual(['generated']);
  });
});

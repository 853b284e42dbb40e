// Replacing generated/ as a whole: the write-aside-then-swap, the recovery of runs killed part-way,
// the atomic exchange helpers, and the lock that serialises concurrent runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_HELPERS, exchangeDirsWith } from '../../src/output/exchange-dirs.js';
import { recover, replaceTree, withLock } from '../../src/output/generated-tree.js';
import { readTree } from '../helpers/tree-oracle.js';
import { freshProject, readFilesBytes, REPO_ROOT, runCli, tempDir } from '../helpers/project.js';

const OLD = new Map([
  ['a.txt', 'old a\n'],
  ['sub/b.txt', 'old b\n'],
  ['sub/deeper/c.txt', 'old c\n'],
]);
const NEW = new Map([
  ['a.txt', 'new a\n'],
  ['other/d.txt', 'new d\n'],
]);

function writeTree(dir: string, files: Map<string, string>): void {
  for (const [p, text] of files) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

const siblings = (dir: string) => readdirSync(join(dir, '..')).sort();

/** The pid of a process that has exited, as a killed run would have left it. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('replaceTree', () => {
  it('makes the directory hold exactly the new files, and leaves nothing beside it', () => {
    const target = join(tempDir(), 'generated');
    writeTree(target, OLD);
    replaceTree(target, NEW);
    expect(readTree(target)).toEqual(NEW);
    expect(siblings(target)).toEqual(['generated']);
  });

  it('creates the directory when there is none yet', () => {
    const target = join(tempDir(), 'generated');
    replaceTree(target, OLD);
    expect(readTree(target)).toEqual(OLD);
    expect(siblings(target)).toEqual(['generated']);
  });
});

describe('recover, after a run killed part-way', () => {
  it('finishes a two-rename swap killed between its renames (generated/ absent, new tree complete)', () => {
    const root = tempDir();
    const target = join(root, 'generated');
    const pid = deadPid();
    writeTree(join(root, `generated.almac-old-${pid}`), OLD);
    writeTree(join(root, `generated.almac-new-${pid}`), NEW);
    recover(target);
    expect(readTree(target)).toEqual(NEW);
    expect(siblings(target)).toEqual(['generated']);
  });

  it('puts the old tree back when no complete new tree exists', () => {
    const root = tempDir();
    const target = join(root, 'generated');
    const pid = deadPid();
    writeTree(join(root, `generated.almac-old-${pid}`), OLD);
    writeTree(join(root, `generated.almac-tmp-${pid}`), new Map([['a.txt', 'half written']]));
    recover(target);
    expect(readTree(target)).toEqual(OLD);
    expect(siblings(target)).toEqual(['generated']);
  });

  it('keeps generated/ and discards a complete new tree that was never swapped in', () => {
    const root = tempDir();
    const target = join(root, 'generated');
    writeTree(target, OLD);
    writeTree(join(root, `generated.almac-new-${deadPid()}`), NEW);
    recover(target);
    expect(readTree(target)).toEqual(OLD);
    expect(siblings(target)).toEqual(['generated']);
  });

  it('leaves nothing for an exchange helper that outlived its killed run to swap in', () => {
    // The helper (perl, python3 or mv) is a process of its own: SIGKILL of almac does not stop it.
    const root = tempDir();
    const target = join(root, 'generated');
    writeTree(target, OLD);
    const leftover = join(root, `generated.almac-new-${deadPid()}`);
    writeTree(leftover, NEW);
    recover(target);
    for (const name of EXCHANGE_HELPERS) expect(exchangeDirsWith(name, leftover, target)).toBe(false);
    expect(readTree(target)).toEqual(OLD);
    expect(siblings(target)).toEqual(['generated']);
  });

  it('does not touch the work of a run that is still alive', async () => {
    const root = tempDir();
    const target = join(root, 'generated');
    writeTree(target, OLD);
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeTree(join(root, `generated.almac-tmp-${alive.pid}`), NEW);
      recover(target);
      expect(siblings(target)).toEqual(['generated', `generated.almac-tmp-${alive.pid}`]);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('removes what older almac versions left (no pid in the name, a marker inside the tree)', () => {
    const root = tempDir();
    const target = join(root, 'generated');
    writeTree(target, new Map([...OLD, ['.almac-complete', '']]));
    writeTree(join(root, 'generated.almac-new'), NEW);
    writeTree(join(root, 'generated.almac-old'), OLD);
    recover(target);
    expect(readTree(target)).toEqual(OLD);
    expect(readdirSync(target)).not.toContain('.almac-complete');
    expect(siblings(target)).toEqual(['generated']);
  });
});

describe('readTree', () => {
  it('does not follow a symbolic link, so generated/ never reads or reports files from elsewhere', () => {
    const root = tempDir();
    const target = join(root, 'generated');
    writeTree(target, OLD);
    writeFileSync(join(root, 'secret'), 'outside the tree\n');
    symlinkSync(join(root, 'secret'), join(target, 'link.txt'));
    const tree = readTree(target);
    expect(tree.get('link.txt')).toBe(`\0a symbolic link to ${join(root, 'secret')}, not a regular file`);
    expect([...tree.values()].join('')).not.toContain('outside the tree');
  });
});

describe('the atomic exchange helpers', () => {
  // Each helper either swaps the two directories completely or changes nothing; which of them
  // exist depends on the machine (coreutils ≥ 9.5, perl, python3).
  it.each(EXCHANGE_HELPERS)('%s swaps two directories completely, or leaves both untouched', (name) => {
    const root = tempDir();
    const a = join(root, 'a');
    const b = join(root, 'b');
    writeTree(a, OLD);
    writeTree(b, NEW);
    const swapped = exchangeDirsWith(name, a, b);
    expect(readTree(a)).toEqual(swapped ? NEW : OLD);
    expect(readTree(b)).toEqual(swapped ? OLD : NEW);
  });

  it.runIf(process.platform === 'linux')('at least one helper works on this Linux machine', () => {
    const root = tempDir();
    const works = EXCHANGE_HELPERS.filter((name) => {
      mkdirSync(join(root, `${name}-a`.replace(/\W/g, '_')));
      mkdirSync(join(root, `${name}-b`.replace(/\W/g, '_')));
      return exchangeDirsWith(name, join(root, `${name}-a`.replace(/\W/g, '_')), join(root, `${name}-b`.replace(/\W/g, '_')));
    });
    expect(works.length).toBeGreaterThan(0);
  });
});

describe('concurrent runs', () => {
  it('withLock runs one holder at a time, across processes', async () => {
    const root = tempDir();
    const lock = join(root, '.almac', 'generate.lock');
    const log = join(root, 'log');
    // The child processes use the built module (dist/, rebuilt by the suite's global setup).
    const moduleUrl = pathToFileURL(join(REPO_ROOT, 'dist', 'output', 'generated-tree.js')).href;
    // Each holder writes "in", waits 150 ms, writes "out": interleaving would show as in,in.
    const holder = `
      const { withLock } = await import(${JSON.stringify(moduleUrl)});
      const { appendFileSync } = await import('node:fs');
      withLock(${JSON.stringify(lock)}, () => {
        appendFileSync(${JSON.stringify(log)}, 'in\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
        appendFileSync(${JSON.stringify(log)}, 'out\\n');
      });`;
    const runs = Array.from({ length: 3 }, () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', holder], { stdio: 'inherit' });
        child.on('exit', resolve);
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect(readFileSync(log, 'utf8')).toBe('in\nout\n'.repeat(3));
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a killed run', () => {
    const root = tempDir();
    const lock = join(root, '.almac', 'generate.lock');
    mkdirSync(join(root, '.almac'));
    writeFileSync(lock, String(deadPid()));
    expect(withLock(lock, () => 'ran')).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('several `almac generate` at once all succeed and leave one whole, correct tree', async () => {
    const root = freshProject();
    const expected = readFilesBytes(join(root, 'generated'));
    // Make the tree stale so that every run has something to write.
    writeFileSync(join(root, 'generated', 'index.json'), '{}\n');
    writeFileSync(join(root, 'generated', 'orphan.txt'), 'x\n');
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['generate', '-q', '--root', root])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(readFilesBytes(join(root, 'generated'))).toEqual(expected);
    expect(readdirSync(root).filter((e) => e.startsWith('generated')).sort()).toEqual(['generated']);
    expect(existsSync(join(root, '.almac', 'generate.lock'))).toBe(false);
  });
});

// The file-by-file comparison check and generate use (output/tree-compare.ts) gives exactly the
// answer of reading the whole tree and diffing it (readTree + diffTrees, with locks carried as
// generate carries them), and exactly the clean memo's digest of the tree (digestTree), on trees
// holding every kind of entry check must notice.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestTree } from '../../src/output/clean-memo.js';
import { TreeComparer } from '../../src/output/tree-compare.js';
import { carryLocks, isLockPath } from '../../src/lock/lockfile.js';
import { tempDir } from '../helpers/project.js';
import { diffTrees, readTree, treeModes } from '../helpers/tree-oracle.js';

const write = (dir: string, path: string, text: string | Buffer, mode = 0o644) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
  chmodSync(join(dir, path), mode);
};

/** A generated/ with matching, stale, orphaned, mis-moded, special and lock entries. */
function messyTree(): string {
  const dir = join(tempDir(), 'generated');
  write(dir, 'same.txt', 'same — text\n');
  write(dir, 'stale.txt', 'old\n');
  write(dir, 'orphan.txt', 'nobody renders me\n');
  write(dir, 'exec.txt', 'right text, wrong mode\n', 0o755);
  write(dir, 'sub/deep/same.txt', 'deep\n');
  write(dir, 'sub/loose-dir/file.txt', 'x\n');
  chmodSync(join(dir, 'sub/loose-dir'), 0o777);
  write(dir, 'locks/9-minimal-x86_64.lock.json', '{"not": "checked here"}\n');
  write(dir, 'locks/9-micro-x86_64.lock.json', '{}\n', 0o755);
  write(dir, 'bad-utf8.txt', Buffer.from([0x66, 0xff, 0x0a]));
  symlinkSync('same.txt', join(dir, 'link.txt'));
  symlinkSync('elsewhere', join(dir, 'locks/linked.lock.json'));
  mkdirSync(join(dir, 'empty'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  return dir;
}

const WANTED = new Map([
  ['same.txt', 'same — text\n'],
  ['stale.txt', 'new\n'],
  ['missing.txt', 'not there yet\n'],
  ['exec.txt', 'right text, wrong mode\n'],
  ['sub/deep/same.txt', 'deep\n'],
  ['sub/loose-dir/file.txt', 'x\n'],
  ['link.txt', 'a link stands here\n'],
  ['fifo', 'a FIFO stands here\n'],
  ['bad-utf8.txt', 'f\uFFFD\n'],
]);

function compare(dir: string, wanted: Map<string, string>) {
  const c = new TreeComparer(dir, isLockPath);
  for (const [p, t] of wanted) c.offer(p, t);
  return c.finish();
}

describe('TreeComparer', () => {
  it('finds what readTree + diffTrees find, and digests the tree as digestTree does', () => {
    const dir = messyTree();
    const current = readTree(dir);
    const expected = diffTrees(current, carryLocks(current, WANTED));
    // Bytes are compared, not decoded text: a file that is not valid UTF-8 never equals a text,
    // even one holding U+FFFD where the invalid byte is (decoding both would call them equal).
    expected.changed = [...expected.changed, 'bad-utf8.txt'].sort();
    const got = compare(dir, WANTED);
    expect(got.diff).toEqual(expected);
    expect(got.digest).toBe(digestTree(dir));
    expect([...got.modes].sort()).toEqual([...treeModes(current)].sort());
    expect(got.files).toBe(WANTED.size);
    // Every entry it kept reads as readTree reads it; what differs is kept with its rendered text.
    for (const [p, text] of got.current) if (p !== 'bad-utf8.txt') expect(current.get(p)).toBe(text);
    for (const p of got.wanted.keys()) expect(expected.changed).toContain(p);
    expect(got.wanted.get('stale.txt')).toBe('new\n');
    // Locks are kept for generate to carry over; the linked one is not a lock and is an orphan.
    expect(got.current.has('locks/9-minimal-x86_64.lock.json')).toBe(true);
    expect(expected.removed).toContain('locks/linked.lock.json');
    expect(expected.changed).toEqual(expect.arrayContaining(['exec.txt', 'sub/loose-dir/', 'locks/9-micro-x86_64.lock.json', 'bad-utf8.txt', 'fifo', 'link.txt']));
  });

  it('keeps nothing of files that match', () => {
    const dir = join(tempDir(), 'generated');
    const wanted = new Map<string, string>();
    for (let i = 0; i < 200; i++) wanted.set(`d${i % 7}/f${i}.txt`, `file ${i}\n`.repeat(50));
    for (const [p, t] of wanted) write(dir, p, t);
    const got = compare(dir, wanted);
    expect(got.diff).toEqual({ added: [], changed: [], removed: [] });
    expect(got.current.size).toBe(0);
    expect(got.wanted.size).toBe(0);
    expect(got.digest).toBe(digestTree(dir));
  });

  it('treats an absent tree as empty, and names what it cannot read', () => {
    const absent = join(tempDir(), 'generated');
    expect(compare(absent, new Map([['a', 'x\n']])).diff).toEqual({ added: ['a'], changed: [], removed: [] });
    if (process.getuid?.() === 0) return; // root reads everything
    const dir = join(tempDir(), 'generated');
    write(dir, 'a', 'x\n', 0o000);
    expect(() => compare(dir, new Map([['a', 'x\n']]))).toThrow(/generated\/a/);
  });

  it('refuses a generated/ that is a symbolic link', () => {
    const link = join(tempDir(), 'generated');
    symlinkSync(messyTree(), link);
    expect(() => compare(link, WANTED)).toThrow(/generated is a symbolic link/);
  });
});

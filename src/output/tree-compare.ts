// Comparing generated/ on disk with the files the compiler renders, one file at a time as each is
// rendered. Neither tree is ever held whole in memory: the files on disk are known by their SHA-256
// digests (digestTreeFiles, tree-digest.ts), taken first; only what differs (and the locks, which
// generate carries over) is read again and kept, for the report. The answer is exactly that of
// reading the whole tree and diffing it (test/atomic/tree-compare.test.ts holds the two together),
// and the digest exactly digestTree(dir) of clean-memo.ts.
import type { TreeDiff } from './generated-tree.js';
import { TreeDigest, contentDigest, digestTreeFiles } from './tree-digest.js';
import { readEntry, unreadable, type TreeWalk } from './tree-scan.js';
import { inside } from '../util/paths.js';
import { nowMs } from '../util/clock.js';

export interface TreeComparison {
  diff: TreeDiff;
  /**
   * The entries on disk that differ from what was rendered, that nothing rendered, or that are
   * `kept` (locks): their text, or for anything that is not a regular file a stand-in (NUL and what
   * it is).
   */
  current: Map<string, string>;
  /** What was rendered for each path in diff.changed whose text differs. */
  wanted: Map<string, string>;
  /** Files and directories ("x/", "" for the top) whose mode is wrong, and what is wrong. */
  modes: Map<string, string>;
  /** The tree's digest, as the clean memo records it (digestTree). */
  digest: string;
  /** How many files were offered. */
  files: number;
}

const standIn = (what: string) => `\0${what}`;

/**
 * Compares the tree in `dir` (walked and digested when the comparer is made: digestTreeFiles) with
 * the files offered one by one. A file matches when the SHA-256 of its bytes is that of the
 * rendered text's UTF-8: only files that differ, and those nothing rendered, are read (again) here,
 * for their text. `kept(path)` names files generate keeps
 * although nothing renders them (locks): they are not orphans unless they are not regular files.
 * Unreadable entries throw a FileSystemError naming them all, from finish().
 */
export class TreeComparer {
  private readonly walk: TreeWalk;
  private readonly files: Map<string, string | null>;
  private readonly offered = new Set<string>();
  private readonly digest = new TreeDigest();
  private readonly diff: TreeDiff = { added: [], changed: [], removed: [] };
  private readonly current = new Map<string, string>();
  private readonly wanted = new Map<string, string>();
  /** Milliseconds spent reading and comparing (for the benchmark's phase table). */
  elapsedMs = 0;

  constructor(private readonly dir: string, private readonly kept: (path: string) => boolean = () => false) {
    const t0 = nowMs();
    ({ walk: this.walk, files: this.files } = digestTreeFiles(dir));
    this.elapsedMs += nowMs() - t0;
  }

  /** The text of a file on disk now, or undefined (then recorded as a stand-in or a problem). */
  private read(path: string): string | undefined {
    return readEntry(this.walk, this.dir, path, inside(this.dir, path))?.toString('utf8');
  }

  /** Compares one rendered file with the file at its path. */
  offer(path: string, text: string): void {
    const t0 = nowMs();
    this.offered.add(path);
    const onDisk = this.files.get(path);
    if (onDisk) {
      this.digest.addDigest(path, onDisk);
      if (contentDigest(text) !== onDisk) {
        this.diff.changed.push(path);
        const now = this.read(path);
        if (now !== undefined) this.current.set(path, now);
        this.wanted.set(path, text);
      } else if (this.walk.modes.has(path)) {
        this.diff.changed.push(path);
        this.current.set(path, text);
      }
    } else if (this.walk.standIns.has(path)) {
      this.diff.changed.push(path);
      this.wanted.set(path, text);
    } else if (onDisk === undefined) this.diff.added.push(path);
    // else: unreadable, reported by finish()
    this.elapsedMs += nowMs() - t0;
  }

  /** Reads what nothing rendered, and gives the answer. */
  finish(): TreeComparison {
    const t0 = nowMs();
    for (const [path, onDisk] of this.files) {
      if (!onDisk || this.offered.has(path)) continue; // a stand-in or a problem (below), or compared
      const text = this.read(path);
      if (text === undefined) continue; // became a stand-in or a problem since it was digested
      this.digest.addDigest(path, onDisk);
      this.current.set(path, text);
      if (!this.kept(path)) this.diff.removed.push(path);
      else if (this.walk.modes.has(path)) this.diff.changed.push(path);
    }
    if (this.walk.problems.length) throw unreadable(this.dir, this.walk.problems);
    for (const [path, what] of this.walk.standIns) {
      this.digest.add(path, standIn(what));
      this.current.set(path, standIn(what));
      if (!this.offered.has(path)) this.diff.removed.push(path);
    }
    for (const p of this.walk.modes.keys()) if (!this.offered.has(p) && !this.current.has(p)) this.diff.changed.push(p);
    this.digest.addModes(this.walk.modes);
    for (const k of ['added', 'changed', 'removed'] as const) this.diff[k].sort();
    this.elapsedMs += nowMs() - t0;
    return { diff: this.diff, current: this.current, wanted: this.wanted, modes: this.walk.modes, digest: this.digest.digest(), files: this.offered.size };
  }
}

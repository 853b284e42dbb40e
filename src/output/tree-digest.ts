// The digest of a generated/ tree that the clean memo keys on (clean-memo.ts), built one entry at
// a time, so that a tree of tens of thousands of files is never held in memory to digest it.
import { createHash, hash } from 'node:crypto';
import { pushAll } from '../util/arrays.js';
import { readEntry, walkTree, type TreeWalk } from './tree-scan.js';

const sha = () => createHash('sha256');

/**
 * SHA-256 (hex) of a file's bytes or of a text's UTF-8 encoding: equal exactly when the bytes are.
 * The one-shot hash: no Hash object per file (a tree can hold tens of thousands).
 */
export const contentDigest = (content: Buffer | string): string => hash('sha256', content, 'hex');
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Digest of a tree from the digests of its entries: each entry's name with the SHA-256 of its
 * bytes, in name order, then what is wrong with any mode. Entries are digested one at a time, so
 * a tree of tens of thousands of files is never held in memory.
 */
export class TreeDigest {
  private entries: [string, string][] = [];
  private modes: [string, string][] = [];
  add(name: string, bytes: Buffer | string): void {
    this.entries.push([name, contentDigest(bytes)]);
  }
  /** An entry whose SHA-256 (hex) is known already (digestTreeFiles). */
  addDigest(name: string, sha256: string): void {
    this.entries.push([name, sha256]);
  }
  addModes(modes: Map<string, string>): void {
    pushAll(this.modes, modes);
  }
  digest(): string {
    const h = sha();
    for (const [name, d] of this.entries.sort((a, b) => byName(a[0], b[0]))) h.update(`${name.length}:${name}\0${d}\0`);
    for (const [name, m] of this.modes.sort((a, b) => byName(a[0], b[0]))) h.update(`mode ${name.length}:${name}\0${m}\0`);
    return h.digest('hex');
  }
}

export interface TreeDigests {
  walk: TreeWalk;
  /**
   * Every entry the walk took for a regular file: the SHA-256 (hex) of its bytes, or null when it
   * turned out not to be one (then in walk.standIns) or could not be read (in walk.problems).
   */
  files: Map<string, string | null>;
}

/** Files up to this size are read into one reused buffer (generated files are a few kilobytes). */
const SCRATCH_BYTES = 1 << 20;

/**
 * Walks and digests the tree in `dir` (tree-scan.ts says what is read, and how): all that check and
 * generate need to compare it with what the compiler renders, and the clean memo to digest it,
 * without holding any file. Throws only what walkTree throws (generated/ is a symbolic link, or not
 * a directory); unreadable entries are recorded in walk.problems.
 */
export function digestTreeFiles(dir: string): TreeDigests {
  const files = new Map<string, string | null>();
  // Each file is read into the same buffer and digested at once: nothing read is kept.
  const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  const walk = walkTree(dir, (path, full, w) => {
    const bytes = readEntry(w, dir, path, full, scratch);
    files.set(path, bytes ? contentDigest(bytes) : null);
  });
  return { walk, files };
}

// The SHA-256 of every regular file of a generated/ tree, with what its walk found (stand-ins,
// wrong modes, what could not be read): all that check and generate need to compare the tree with
// what the compiler renders, without holding any file. A large tree is read and digested on a
// thread of its own (tree-digest-worker.ts) while the compiler runs on the main one: at 10,000
// images generated/ holds 20,000 files (80 MB), whose opening, reading and hashing were a sixth of
// a cold check.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { contentDigest } from './tree-digest.js';
import { readEntry, walkTree, type TreeWalk } from './tree-scan.js';

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
 * Walks and digests the tree in `dir` (tree-scan.ts says what is read, and how). Throws only what
 * walkTree throws (generated/ is a symbolic link, or not a directory); unreadable entries are
 * recorded in walk.problems.
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

/** Definitions larger than this (in characters) have their generated/ digested on a thread of its own. */
export const BACKGROUND_DIGEST_ABOVE_CHARS = 512 * 1024;

const WORKER = new URL('./tree-digest-worker.js', import.meta.url);
const WORKER_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

/**
 * The digests of a tree, computed from now on: on a worker thread when `background` (and the
 * worker's module is there, as it is in a build; not when running from the TypeScript sources),
 * else in this thread when first asked for. A worker that fails for any reason is replaced by the
 * same work done here, which then throws what walkTree throws, as the in-thread path does.
 */
export class PendingTreeDigests {
  private worker?: Worker;
  private answer?: Promise<TreeDigests | undefined>;

  /** Whether a worker thread was started. */
  readonly background: boolean;

  constructor(private readonly dir: string, background: boolean) {
    this.background = background && existsSync(fileURLToPath(WORKER));
    if (!this.background) return;
    // Loaded only here: a short run never pays for node:worker_threads.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    // The thread keeps nothing but digests: a small heap is plenty (past it, it is stopped, and the
    // tree is digested here instead).
    const worker = new Worker(WORKER, { workerData: { dir }, resourceLimits: WORKER_HEAP });
    // Never the reason the process stays alive: a run that ends early (errors in the definitions)
    // just exits, and the thread with it.
    worker.unref();
    this.worker = worker;
    this.answer = new Promise((resolve) => {
      worker.once('message', (m: { digests?: TreeDigests }) => resolve(m.digests));
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
    });
  }

  /** Digests of `dir`, taken on another thread when the definitions (`sources`) are large. */
  static forDefinitions(dir: string, sources: Map<string, string>): PendingTreeDigests {
    let chars = 0;
    for (const text of sources.values()) chars += text.length;
    return new PendingTreeDigests(dir, chars > BACKGROUND_DIGEST_ABOVE_CHARS);
  }

  /** The digests, once: waits for the worker if there is one. */
  async result(): Promise<TreeDigests> {
    const fromWorker = await this.answer;
    this.worker = undefined;
    return fromWorker ?? digestTreeFiles(this.dir);
  }

  /** Stops the worker, if the digests are not wanted after all. */
  cancel(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

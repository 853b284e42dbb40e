// One side of a review: the resolved images (and package locks) of the project at a git revision
// or in the working tree. Definitions are compiled from what git stores, never checked out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { error, fileSpan, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { LOCK_DIR, parseLock, type LockFile } from '../lock/lockfile.js';
import type { ImageSpec } from '../model/spec.js';
import { DEFINITIONS_DIR, GENERATED_DIR, compileSources, readSources } from '../project.js';
import { filesAt, shortCommit } from './git.js';

export interface Snapshot {
  /** How reports name this side: "1a2b3c4d5e6f (main)", "working tree". */
  label: string;
  commit?: string;
  images: ImageSpec[];
  /** Locks by image id ("9/minimal"), one per locked architecture. */
  locks: Map<string, LockFile[]>;
  diagnostics: Diagnostic[];
  /** Definition sources by path, to show diagnostics with their lines. */
  sources: Map<string, string>;
}

const LOCKS_PATH = `${GENERATED_DIR}/${LOCK_DIR}`;

export function snapshotAtCommit(root: string, commit: string, rev: string): Snapshot {
  const files = filesAt(root, commit, [DEFINITIONS_DIR, LOCKS_PATH]);
  const sources = new Map<string, string>();
  const readProblems: Diagnostic[] = [];
  const lockTexts = new Map<string, string>();
  for (const [path, bytes] of files) {
    const text = decode(bytes);
    if (path.startsWith(`${DEFINITIONS_DIR}/`) && path.endsWith('.alma')) {
      if (text === undefined) readProblems.push(error('E101', fileSpan(path), 'this file is not valid UTF-8', { expected: 'a UTF-8 text file' }));
      else sources.set(path, text);
    } else if (path.startsWith(`${LOCKS_PATH}/`) && path.endsWith('.lock.json') && text !== undefined) {
      lockTexts.set(path, text);
    }
  }
  const short = shortCommit(commit);
  return build(root, commit.startsWith(rev) ? short : `${short} (${rev})`, sources, readProblems, lockTexts, commit);
}

export function snapshotWorktree(root: string): Snapshot {
  const { sources, diagnostics } = readSources(root);
  const lockTexts = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(join(root, LOCKS_PATH)).filter((n) => n.endsWith('.lock.json')).sort();
  } catch {
    /* no locks yet */
  }
  for (const n of names) {
    try {
      lockTexts.set(`${LOCKS_PATH}/${n}`, readFileSync(join(root, LOCKS_PATH, n), 'utf8'));
    } catch {
      /* unreadable lock: reported as having no versions */
    }
  }
  return build(root, 'working tree', sources, diagnostics, lockTexts);
}

function build(root: string, label: string, sources: Map<string, string>, readProblems: Diagnostic[], lockTexts: Map<string, string>, commit?: string): Snapshot {
  const locks = new Map<string, LockFile[]>();
  for (const text of lockTexts.values()) {
    const lock = parseLock(text);
    if (!lock) continue;
    locks.set(lock.image, [...(locks.get(lock.image) ?? []), lock]);
  }
  // A revision from before the project had definitions has no images; that is not an error.
  if (sources.size === 0 && readProblems.length === 0) return { label, commit, images: [], locks, diagnostics: [], sources };
  const c = compileSources(root, sources, { render: false });
  return { label, commit, images: c.images, locks, diagnostics: sortDiagnostics([...readProblems, ...c.diagnostics]), sources };
}

function decode(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}

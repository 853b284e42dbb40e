// A memo of the last time generated/ was found, or made, exactly right for definitions/, so that
// `almac check` and a no-op `almac generate` need not load and run the compiler when nothing has
// changed since (the full run costs several times the start-up of Node itself).
//
// Why it cannot give a wrong answer: the memo holds digests of everything the answer depends on —
//   - the compiler: the files this build of almac consists of, by name, size and change time, and
//     the Node version (compiler-identity.ts);
//   - the input: the name and content of every definition file, read by the same code the compiler
//     reads them with (project-files.ts; symbolic links included, which are errors);
//   - the output: the name and content of every file in generated/;
// and it is used only when all three are the same now, byte for byte. An edited definition, a new
// or deleted one, a hand edit, a stale, missing or orphaned generated file, a rebuild or upgrade of
// almac: each changes a digest and the command takes the full path. Only clean states are recorded,
// so every problem is reported by a full run. The memo lives in .almac/ (never committed) and is
// written atomically; a missing, unreadable or foreign memo is simply a miss.
import { readFileSync } from 'node:fs';
import { replaceFileAtomically } from '../util/atomic-file.js';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readSources } from '../project-files.js';
import { unreadable } from './tree-scan.js';
import { TreeDigest, digestTreeFiles } from './tree-digest.js';
import { compilerDigest, currentBuild } from './compiler-identity.js';

export { compilerFingerprint } from './compiler-identity.js';

const MEMO_FORMAT = 3;
const MEMO_FILE = join('.almac', 'clean-memo.json');

/** What a clean run reported, to report it again. */
export interface CleanResult {
  files: number;
  images: number;
  /** Warnings (a clean state has no errors). */
  diagnostics: Diagnostic[];
}

interface MemoFile {
  format: number;
  compiler: string;
  /** What `compiler` is a digest of: see compilerDigest. */
  compilerFiles: string[];
  definitions: string;
  generated: string;
  result: CleanResult;
}

/** Digest of a set of files (names and UTF-8 contents), as digestTree digests them on disk. */
export function digestFiles(files: Map<string, string>): string {
  const d = new TreeDigest();
  for (const [name, text] of files) d.add(name, text);
  return d.digest();
}

/**
 * The same digest of a tree on disk: stand-ins (NUL and what the entry is) for everything that is
 * not a regular file, and the modes that are wrong. A file that is not valid UTF-8 gives another
 * digest than its decoded text: a miss, never a false match.
 */
export function digestTree(dir: string): string {
  const d = new TreeDigest();
  const { walk, files } = digestTreeFiles(dir);
  if (walk.problems.length) throw unreadable(dir, walk.problems);
  for (const [path, sha256] of files) if (sha256) d.addDigest(path, sha256);
  for (const [path, what] of walk.standIns) d.add(path, `\0${what}`);
  d.addModes(walk.modes);
  return d.digest();
}

/**
 * The recorded result, if the memo matches the current compiler, definitions and the generated
 * tree in `generatedDir`. Also returns the definitions it read, to print recorded warnings against.
 */
export function lookupClean(root: string, generatedDir: string): { result: CleanResult; sources: Map<string, string> } | undefined {
  let memo: MemoFile;
  try {
    memo = JSON.parse(readFileSync(join(root, MEMO_FILE), 'utf8')) as MemoFile;
  } catch {
    currentBuild();
    return undefined;
  }
  // The files the memo's build consisted of are stat'ed again, without listing directories anew;
  // a file added or removed since shows in its directory's times.
  if (memo.format !== MEMO_FORMAT || !Array.isArray(memo.compilerFiles) || compilerDigest(memo.compilerFiles) !== memo.compiler) {
    currentBuild();
    return undefined;
  }
  const { sources, diagnostics } = readSources(root);
  if (diagnostics.length || memo.definitions !== digestFiles(sources)) return undefined;
  if (memo.generated !== digestTree(generatedDir)) return undefined;
  return { result: memo.result, sources };
}

/**
 * Records that `generated` (the tree now on disk, or its digest from a TreeComparer) is exactly
 * right for `sources` (the definitions the compiler read: Compilation.sources). Best effort: a read-only checkout just goes without.
 */
export function recordClean(root: string, sources: Map<string, string>, generated: Map<string, string> | { digest: string }, result: CleanResult): void {
  const build = currentBuild();
  const generatedDigest = generated instanceof Map ? digestFiles(generated) : generated.digest;
  const memo: MemoFile = { format: MEMO_FORMAT, compiler: build.digest, compilerFiles: build.entries, definitions: digestFiles(sources), generated: generatedDigest, result };
  try {
    replaceFileAtomically(join(root, MEMO_FILE), JSON.stringify(memo));
  } catch {
    /* not recorded: the next run takes the full path */
  }
}

// Where a project keeps its files, and reading its definitions. Kept apart from project.ts (which
// loads every compiler phase) so that `check`'s fast path (output/clean-memo.ts) can read the very
// same inputs, with the very same code, without loading the compiler.
//
// What is read: the regular files named *.alma anywhere under definitions/, and nothing else.
// Symbolic links below definitions/ are never followed, to files or to directories, and each one is
// an error (E102): a link could make the definitions depend on files outside the project (and put
// their content into diagnostics), and ignoring it silently would build something other than what
// the author sees. `definitions` itself may be a link (a project laid out elsewhere).
// A file name with a control character or line break (E103) is not read either: file names are
// quoted in comments of the generated files, where such a character would start a new line.
// Every directory below definitions/ is read in full: one that cannot be listed, and a file that
// cannot be read, stop the command (exit 3) naming each, because compiling what remains would
// delete the generated files of whatever was skipped. A file name that is not UTF-8 (E104) or that
// holds bidirectional or invisible characters (E103) is an error too, never silently ignored.
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { inside } from './util/paths.js';
import { error, fileSpan, type Diagnostic } from './diagnostics/diagnostic.js';
import { CONTROL_OR_LINE_BREAK } from './phases/2-analyze/grammars.js';
import { decodeFileName, hasBidiOrInvisible, shownText } from './util/display.js';
import { describeFsError, FileSystemError, LEFT_AS_IT_WAS, type FsProblem } from './util/fs-problems.js';

export const DEFINITIONS_DIR = 'definitions';
export const GENERATED_DIR = 'generated';

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface DefinitionScan {
  /** The regular .alma files, as sorted "/"-separated paths relative to root. */
  files: string[];
  symlinks: string[];
  /** Entries whose names are not valid UTF-8, shown with their bytes escaped. */
  undecodable: string[];
  /** .alma entries that are FIFOs, sockets or devices (never opened). */
  special: { path: string; kind: string }[];
}

/** The kind of a directory entry that is neither a file, a directory nor a link. */
const specialKind = (e: Dirent) => (e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : e.isCharacterDevice() ? 'a character device' : e.isBlockDevice() ? 'a block device' : 'not a regular file');

/**
 * The entries under dir (relative to root). Throws FileSystemError naming every directory that
 * cannot be listed. The walk keeps its own stack: no recursion, however deep the tree.
 */
export function scanDefinitions(root: string, dir = DEFINITIONS_DIR): DefinitionScan {
  const scan: DefinitionScan = { files: [], symlinks: [], undecodable: [], special: [] };
  const problems: FsProblem[] = [];
  const start = dir === '.' ? '' : dir;
  const stack = [start];
  while (stack.length) {
    const rel = stack.pop()!;
    const full = rel === '' ? root : inside(root, rel);
    const prefix = rel === '' ? '' : `${rel}/`;
    let entries: Dirent[];
    try {
      entries = readdirSync(full, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A project without definitions/ is reported by the compiler (E100).
      if (!(rel === start && (code === 'ENOENT' || code === 'ENOTDIR'))) problems.push({ path: shownText(rel || '.'), reason: describeFsError(e) });
      continue;
    }
    // Node decodes names as UTF-8, replacing invalid bytes with U+FFFD; such a name names no file.
    if (entries.some((e) => e.name.includes('\uFFFD'))) {
      const valid = new Set<string>();
      for (const bytes of readdirSync(full, { encoding: 'buffer' })) {
        const d = decodeFileName(bytes);
        if (d.name === undefined) scan.undecodable.push(`${shownText(prefix)}${d.shown}`);
        else valid.add(d.name);
      }
      entries = entries.filter((e) => valid.has(e.name));
    }
    for (const e of entries) {
      const p = `${prefix}${e.name}`;
      if (e.isSymbolicLink()) scan.symlinks.push(p);
      else if (e.isDirectory()) stack.push(p);
      else if (!e.name.endsWith('.alma')) continue;
      else if (e.isFile()) scan.files.push(p);
      else scan.special.push({ path: p, kind: specialKind(e) });
    }
  }
  if (problems.length) throw new FileSystemError(problems, 'read', `${LEFT_AS_IT_WAS} Make them readable by the user running almac (chmod -R u+rX ${DEFINITIONS_DIR}).`);
  // Byte order, not locale order: the same on every machine.
  for (const k of ['files', 'symlinks', 'undecodable'] as const) scan[k].sort(byteOrder);
  scan.special.sort((a, b) => byteOrder(a.path, b.path));
  return scan;
}

/** All .alma files under dir, as paths relative to root with "/" separators, sorted. */
export function findDefinitionFiles(root: string, dir = DEFINITIONS_DIR): string[] {
  return scanDefinitions(root, dir).files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readSources(root: string): { sources: Map<string, string>; diagnostics: Diagnostic[] } {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const { files, symlinks, undecodable, special } = scanDefinitions(root);
  for (const link of symlinks) {
    diagnostics.push(error('E102', fileSpan(shownText(link)), 'symbolic links in definitions/ are not followed', {
      expected: 'a regular .alma file or a directory',
      hint: 'move or copy the file into definitions/; definitions cannot read anything outside it',
    }));
  }
  for (const name of undecodable) {
    diagnostics.push(error('E104', fileSpan(name), 'this file name is not valid UTF-8 (the bytes that are not are shown as \\x{…})', {
      expected: 'a file or directory name in UTF-8',
      hint: 'rename it (e.g. with `mv` and a shell glob such as `bad?.alma`); names are written into the generated files',
    }));
  }
  for (const { path, kind } of special) {
    diagnostics.push(error('E105', fileSpan(shownText(path)), `this is ${kind}, not a regular file; almac does not open it`, { expected: 'a regular .alma file' }));
  }
  const unreadable: FsProblem[] = [];
  for (const f of files) {
    if (CONTROL_OR_LINE_BREAK.test(f) || hasBidiOrInvisible(f)) {
      diagnostics.push(error('E103', fileSpan(shownText(f)), 'this file name contains a control character, line break, or a bidirectional or invisible character', {
        expected: 'a file name on one line that displays as it is',
        hint: 'rename the file; its name is written into comments of the generated files',
      }));
      continue;
    }
    let buf: Buffer;
    try {
      buf = readFileSync(inside(root, f));
    } catch (e) {
      unreadable.push({ path: f, reason: describeFsError(e) });
      continue;
    }
    try {
      sources.set(f, utf8.decode(buf).replace(/^\uFEFF/, ''));
    } catch {
      diagnostics.push(error('E101', fileSpan(f), 'this file is not valid UTF-8', { expected: 'a UTF-8 text file' }));
    }
  }
  if (unreadable.length) throw new FileSystemError(unreadable, 'read', `${LEFT_AS_IT_WAS} Make them readable by the user running almac (chmod -R u+rX ${DEFINITIONS_DIR}).`);
  return { sources, diagnostics };
}

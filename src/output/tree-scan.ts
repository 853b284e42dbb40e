// Reading generated/ as it is on disk, without trusting it: what check compares and the clean memo
// digests. Every regular file is read with its mode; everything else is described, never opened:
//   - symbolic links (not followed), FIFOs, sockets and devices (opening a FIFO would block);
//   - empty directories (generate never makes one, so one is a hand edit);
//   - names that are not valid UTF-8 (no generated file has one);
//   - a file or directory whose mode no checkout makes (see modeProblem).
// A directory that cannot be listed or a file that cannot be read stops the scan with a
// FileSystemError naming every such path (exit 3): a partial view of generated/ is never compared.
// generated/ itself must be a real directory: a symbolic link in its place is refused.
// The walk keeps its own stack (no recursion however deep the tree).
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Dirent, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { inside } from '../util/paths.js';
import { decodeFileName, shownText } from '../util/display.js';
import { describeFsError, FileSystemError, LEFT_AS_IT_WAS, type FsProblem } from '../util/fs-problems.js';

/** The modes generate writes, whatever the umask. */
export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;

const octal = (m: number) => (m & 0o7777).toString(8).padStart(4, '0');

/**
 * What is wrong with an entry's mode, if anything. generate writes exactly 0644 and 0755; a git
 * checkout writes 0666 and 0777 minus the umask, so the modes of a checkout under a usual umask
 * (022, 002, 027, 077, …) are accepted too. Flagged: any execute bit on a file (git tracks it),
 * setuid, setgid and sticky bits, write permission for others, and an owner who cannot read
 * (and write, or search) it.
 */
export function modeProblem(mode: number, isDir: boolean): string | undefined {
  const m = mode & 0o7777;
  const [canonical, most, owner] = isDir ? [DIR_MODE, 0o775, 0o700] : [FILE_MODE, 0o664, 0o600];
  if (m === canonical || ((m & ~most) === 0 && (m & owner) === owner)) return undefined;
  return `mode ${octal(m)}, expected ${octal(canonical)}`;
}

/** Marker file of an older almac that could be left inside generated/; never part of the tree. */
const LEGACY_MARKER = '.almac-complete';

export interface TreeScan {
  /** Entries that are not regular files, by path ("x/" for directories): what they are. */
  standIns: Map<string, string>;
  /** Regular files and directories ("x/", "" for the top) whose mode is wrong: what is wrong. */
  modes: Map<string, string>;
}

const kindOf = (s: Stats | Dirent) =>
  s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : 'not a regular file';

/**
 * A regular file's bytes and mode, or what it turned out to be; opened without following links or
 * blocking. The bytes are read into `scratch` when it is large enough (they are then valid only
 * until the next read into it).
 */
function readRegular(full: string, scratch?: Buffer): { bytes: Buffer; mode: number } | { kind: string } {
  const fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: kindOf(st) };
    const bytes = scratch && st.size <= scratch.length ? scratch.subarray(0, st.size) : Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, bytes, n, st.size - n, null);
      if (r === 0) break;
      n += r;
    }
    return { bytes: n === st.size ? bytes : bytes.subarray(0, n), mode: st.mode };
  } finally {
    closeSync(fd);
  }
}

/** Everything a walk of generated/ found: stand-ins, wrong modes, and what could not be read. */
export interface TreeWalk extends TreeScan {
  problems: FsProblem[];
}

/**
 * Walks dir, calling onFile for each entry that looks like a regular file (in no particular order)
 * with its path ("/"-separated, relative to dir) and full path; the file is not opened: readEntry
 * reads it. An absent dir is an empty tree. A symbolic link or non-directory in dir's place throws.
 */
export function walkTree(dir: string, onFile: (path: string, full: string, walk: TreeWalk) => void): TreeWalk {
  const walk: TreeWalk = { standIns: new Map(), modes: new Map(), problems: [] };
  const shownDir = basename(dir);
  const top = lstatSync(dir, { throwIfNoEntry: false });
  if (!top) return walk;
  if (top.isSymbolicLink()) {
    const err = new FileSystemError([{ path: shownDir, reason: 'a symbolic link' }], 'read', `Replace the link with the directory itself (rm ${shownDir} && almac generate). ${LEFT_AS_IT_WAS}`);
    err.message = `${shownDir} is a symbolic link (to ${shownText(readlinkSync(dir))}); almac reads and writes ${shownDir}/ only as a real directory, never through a link.\n${err.outcome}`;
    throw err;
  }
  if (!top.isDirectory()) throw new FileSystemError([{ path: shownDir, reason: 'it is not a directory' }], 'read', `Remove it and run almac generate. ${LEFT_AS_IT_WAS}`);
  const topMode = modeProblem(top.mode, true);
  if (topMode) walk.modes.set('', topMode);
  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const full = rel === '' ? dir : inside(dir, rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(full, { withFileTypes: true });
    } catch (e) {
      failed(walk, dir, rel, e);
      continue;
    }
    if (rel !== '' && entries.length === 0) walk.standIns.set(rel, 'an empty directory; generate never makes one');
    if (entries.some((e) => e.name.includes('\uFFFD'))) {
      const valid = new Set<string>();
      for (const bytes of readdirSync(full, { encoding: 'buffer' })) {
        const d = decodeFileName(bytes);
        if (d.name === undefined) walk.standIns.set(`${rel}${d.shown}`, 'a name that is not valid UTF-8; no generated file has one');
        else valid.add(d.name);
      }
      entries = entries.filter((e) => valid.has(e.name));
    }
    for (const e of entries) {
      const path = `${rel}${e.name}`;
      const p = inside(full, e.name);
      if (e.isDirectory()) {
        try {
          const problem = modeProblem(lstatSync(p).mode, true);
          if (problem) walk.modes.set(`${path}/`, problem);
        } catch (err) {
          failed(walk, dir, `${path}/`, err);
        }
        stack.push(`${path}/`);
      } else if (e.isSymbolicLink()) {
        let target = '?';
        try {
          target = readlinkSync(p);
        } catch {
          /* described without its target */
        }
        walk.standIns.set(path, `a symbolic link to ${shownText(target)}, not a regular file`);
      } else if (e.isFile() || !(e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice())) {
        if (rel === '' && e.name === LEGACY_MARKER) continue;
        onFile(path, p, walk);
      } else {
        walk.standIns.set(path, `${kindOf(e)}, not a regular file; almac never opens it`);
      }
    }
  }
  return walk;
}

function failed(walk: TreeWalk, dir: string, rel: string, e: unknown): void {
  walk.problems.push({ path: `${basename(dir)}/${shownText(rel)}`.replace(/\/$/, ''), reason: describeFsError(e) });
}

/**
 * Reads a file walkTree found: its bytes, or undefined when it turned out not to be a regular file
 * (recorded as a stand-in) or could not be read (recorded as a problem). A wrong mode is recorded.
 * With `scratch`, the bytes may be a view of it (see readRegular).
 */
export function readEntry(walk: TreeWalk, dir: string, path: string, full: string, scratch?: Buffer): Buffer | undefined {
  let r: ReturnType<typeof readRegular>;
  try {
    r = readRegular(full, scratch);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') walk.standIns.set(path, 'a symbolic link, not a regular file');
    else failed(walk, dir, path, err);
    return undefined;
  }
  if ('kind' in r) {
    walk.standIns.set(path, `${r.kind}, not a regular file; almac never opens it`);
    return undefined;
  }
  const problem = modeProblem(r.mode, false);
  if (problem) walk.modes.set(path, problem);
  return r.bytes;
}

/** The error for what a walk could not read: nothing is compared or written after it. */
export function unreadable(dir: string, problems: FsProblem[]): FileSystemError {
  const shownDir = basename(dir);
  return new FileSystemError(problems, 'read', `${LEFT_AS_IT_WAS} Make them readable by the user running almac (chmod -R u+rX ${shownDir}).`);
}

/**
 * Walks dir, calling onFile for each regular file (in no particular order) with its path
 * ("/"-separated, relative to dir) and bytes. An absent dir is an empty tree.
 */
export function scanTree(dir: string, onFile: (path: string, bytes: Buffer) => void): TreeScan {
  const walk = walkTree(dir, (path, full, w) => {
    const bytes = readEntry(w, dir, path, full);
    if (bytes) onFile(path, bytes);
  });
  if (walk.problems.length) throw unreadable(dir, walk.problems);
  return { standIns: walk.standIns, modes: walk.modes };
}

// Which files `almac fmt` works on, and rewriting one without ever leaving it half-written.
import { readFileSync, statSync } from 'node:fs';
import { replaceFileAtomically } from '../util/atomic-file.js';
import { dirname, basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { findDefinitionFiles } from '../project.js';

export interface FmtTarget {
  /** Absolute path. */
  file: string;
  /** How to show it: relative to the project root when inside it, with "/" separators. */
  display: string;
}

export type TargetsResult = { targets: FmtTarget[] } | { missing: string };

export function displayPath(root: string, file: string): string {
  const rel = relative(root, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file;
}

/**
 * No arguments: every .alma file under definitions/. Otherwise each argument is a file (taken as
 * is, whatever its name) or a directory (its .alma files, recursively). Sorted, without duplicates.
 */
export function fmtTargets(root: string, cwd: string, args: string[]): TargetsResult {
  const files = new Set<string>();
  if (!args.length) for (const f of findDefinitionFiles(root)) files.add(join(root, f));
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      return { missing: arg };
    }
    if (!isDir) files.add(abs);
    else for (const f of findDefinitionFiles(abs, '.')) files.add(join(abs, f));
  }
  const targets = [...files].map((file) => ({ file, display: displayPath(root, file) }));
  return { targets: targets.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0)) };
}

export type ReadResult = { text: string; bom: boolean } | { problem: string };

/** The file as text; a byte-order mark is dropped (as the compiler drops it) and reported. */
export function readText(file: string): ReadResult {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    return { problem: `cannot read this file: ${(e as Error).message}` };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    return text.startsWith('\uFEFF') ? { text: text.slice(1), bom: true } : { text, bom: false };
  } catch {
    return { problem: 'this file is not valid UTF-8' };
  }
}

/** Replace the file's content atomically (write beside it, then rename), keeping its mode. */
export function rewriteFile(file: string, text: string): void {
  replaceFileAtomically(file, text, statSync(file).mode & 0o7777);
}


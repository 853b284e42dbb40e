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
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { error, fileSpan, type Diagnostic } from './diagnostics/diagnostic.js';
import { CONTROL_OR_LINE_BREAK } from './phases/2-analyze/grammars.js';

export const DEFINITIONS_DIR = 'definitions';
export const GENERATED_DIR = 'generated';

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A file name as diagnostics show it: control characters and line breaks as \u{…}. */
const shown = (f: string) => f.replace(new RegExp(CONTROL_OR_LINE_BREAK.source, 'g'), (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);

/** The .alma files and the symbolic links under dir, as sorted "/"-separated paths relative to root. */
export function scanDefinitions(root: string, dir = DEFINITIONS_DIR): { files: string[]; symlinks: string[] } {
  const files: string[] = [];
  const symlinks: string[] = [];
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) symlinks.push(rel(p));
      else if (st.isDirectory()) walk(p);
      else if (st.isFile() && e.endsWith('.alma')) files.push(rel(p));
    }
  };
  walk(join(root, dir));
  // Byte order, not locale order: the same on every machine.
  return { files: files.sort(byteOrder), symlinks: symlinks.sort(byteOrder) };
}

/** All .alma files under dir, as paths relative to root with "/" separators, sorted. */
export function findDefinitionFiles(root: string, dir = DEFINITIONS_DIR): string[] {
  return scanDefinitions(root, dir).files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readSources(root: string): { sources: Map<string, string>; diagnostics: Diagnostic[] } {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const { files, symlinks } = scanDefinitions(root);
  for (const link of symlinks) {
    diagnostics.push(error('E102', fileSpan(shown(link)), 'symbolic links in definitions/ are not followed', {
      expected: 'a regular .alma file or a directory',
      hint: 'move or copy the file into definitions/; definitions cannot read anything outside it',
    }));
  }
  for (const f of files) {
    if (CONTROL_OR_LINE_BREAK.test(f)) {
      diagnostics.push(error('E103', fileSpan(shown(f)), 'this file name contains a control character or line break', {
        expected: 'a file name on one line',
        hint: 'rename the file; its name is written into comments of the generated files',
      }));
      continue;
    }
    try {
      const buf = readFileSync(join(root, f));
      const text = utf8.decode(buf);
      sources.set(f, text.replace(/^\uFEFF/, ''));
    } catch (e) {
      diagnostics.push(error('E101', fileSpan(f), (e as Error).name === 'TypeError' ? 'this file is not valid UTF-8' : `cannot read this file: ${(e as Error).message}`, { expected: 'a readable UTF-8 text file' }));
    }
  }
  return { sources, diagnostics };
}

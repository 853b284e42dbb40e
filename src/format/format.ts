// `almac fmt` on one file's text: refuse files with syntax errors, print the canonical layout, and
// prove the result means the same before handing it back. The proof is a re-parse: the new text
// must parse cleanly to the same syntax tree (spans aside) with the same comments, in order.
import type { IToken } from 'chevrotain';
import { error, fileSpan, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../model/ast.js';
import { parseSource } from '../phases/1-parse/parse.js';
import { lex } from '../phases/1-parse/tokens.js';
import { Printer } from './printer.js';

export interface FormatResult {
  /** The formatted text; absent when the file was refused. */
  text?: string;
  /** Syntax errors (the file is refused), or E901 when the layout could not be proven safe. */
  diagnostics: Diagnostic[];
}

export function formatSource(path: string, text: string): FormatResult {
  const parsed = parseSource(path, text);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics };
  let out: string;
  try {
    out = new Printer(tokenStream(text), text).print();
  } catch (e) {
    return { diagnostics: [unsafe(path, `the formatter could not lay this file out (${(e as Error).message})`)] };
  }
  const problem = sameMeaning(parsed.file, parseSource(path, out));
  if (problem) return { diagnostics: [unsafe(path, `formatting would have changed this file's meaning (${problem})`)] };
  return { text: out, diagnostics: parsed.diagnostics };
}

/** Every token the lexer keeps, comments included, in source order. */
function tokenStream(text: string): IToken[] {
  const lexed = lex(text);
  return [...lexed.tokens, ...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
}

function unsafe(path: string, message: string): Diagnostic {
  return error('E901', fileSpan(path), message, {
    expected: 'a file the formatter can reproduce exactly',
    hint: 'the file was left untouched; please report this with the file attached',
  });
}

/** Undefined when `after` parses to the same tree and comments as `before`; else what differs. */
export function sameMeaning(before: SourceFile, after: { file: SourceFile; diagnostics: Diagnostic[] }): string | undefined {
  if (hasErrors(after.diagnostics)) return `the result does not parse: ${after.diagnostics[0]!.message}`;
  if (JSON.stringify(treeShape(before)) !== JSON.stringify(treeShape(after.file))) return 'the syntax trees differ';
  const comments = (f: SourceFile) => JSON.stringify(f.comments.map((c) => c.text.trimEnd()));
  if (comments(before) !== comments(after.file)) return 'the comments differ';
  return undefined;
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'axisSpan']);

/** The syntax tree without positions: what a file means, as far as the parser is concerned. */
export function treeShape(file: SourceFile): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!SPAN_KEYS.has(k) && x !== undefined) o[k] = strip(x);
      return o;
    }
    return v;
  };
  return strip(file.nodes);
}

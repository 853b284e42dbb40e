// Which `{` is never closed. The parser notices only at the end of the file; the user needs the
// opening brace and the block it starts. Braces are paired as the parser pairs them; when one
// pair's `}` sits at a different indentation than its `{` line, the `{` of that pair is the one
// whose `}` is missing (the `}` written for it closed an outer block). Otherwise the outermost
// unclosed `{` is reported.
import type { IToken } from 'chevrotain';
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';

function indentOf(text: string, offset: number): { indent: number; lineStart: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let i = lineStart;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return { indent: i - lineStart, lineStart };
}

/** `image minimal`, `when release = 8`, `post`: the statement a `{` opens, as written. */
function blockName(text: string, brace: IToken): string {
  const { lineStart } = indentOf(text, brace.startOffset);
  let head = text.slice(lineStart, brace.startOffset).replace(/#.*$/, '').trim().replace(/^\}\s*/, '');
  if (head.length > 50) head = head.slice(0, 50) + '…';
  return head || 'block';
}

export function unclosedBrace(tokens: IToken[], text: string, spanOf: (t: IToken) => Span): Diagnostic | undefined {
  const stack: IToken[] = [];
  let suspect: IToken | undefined;
  for (const t of tokens) {
    if (t.tokenType.name === 'LBrace') stack.push(t);
    else if (t.tokenType.name === 'RBrace') {
      const open = stack.pop();
      if (open && !suspect && indentOf(text, open.startOffset).indent !== indentOf(text, t.startOffset).indent) suspect = open;
    }
  }
  if (!stack.length) return undefined;
  const brace = suspect ?? stack[0]!;
  const name = blockName(text, brace);
  return error('E013', spanOf(brace), `this \`{\` of \`${name}\` is never closed`, {
    expected: `a \`}\` that closes \`${name}\``,
    hint: `add \`}\` where the \`${name}\` block ends, at the indentation of its first line`,
  });
}

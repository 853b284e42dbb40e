// What may be written at the cursor. The text before the cursor is read with the compiler's own
// lexer: `{` and `}` give the enclosing block (and so its statement keywords), the tokens of the
// current line give the statement being written (and so the names that fit its arguments).
import type { IToken } from 'chevrotain';
import { BODY_STATEMENTS } from '../phases/2-analyze/body.js';
import { OPERATION_NAMES } from '../phases/2-analyze/operations.js';
import { KICKSTART_STATEMENTS } from '../phases/2-analyze/kickstart-settings.js';
import { NAMING_STATEMENTS } from '../phases/2-analyze/registries.js';
import { TOP_STATEMENTS } from '../phases/2-analyze/analyze.js';
import { lex } from '../phases/1-parse/tokens.js';

/** Block kinds, named after the statement that opens them. `body` is an image or fragment. */
export type BlockKind = 'top' | 'body' | 'post' | 'config' | 'naming' | 'kickstart' | 'assert' | 'release' | 'platform' | 'repository' | 'replace' | 'unknown';

/**
 * The statements each block accepts. Phase 2 checks them (body.ts, operations.ts, analyze.ts);
 * test/lsp/completion.test.ts proves that these lists are exactly what the analyzer accepts.
 */
export const STATEMENTS: Record<BlockKind, readonly string[]> = {
  top: TOP_STATEMENTS,
  body: BODY_STATEMENTS,
  post: [...OPERATION_NAMES, 'drop', 'instead-of'],
  config: ['cmd', 'entrypoint', 'env', 'label', 'stopsignal', 'user', 'workdir', 'drop'],
  naming: NAMING_STATEMENTS,
  kickstart: KICKSTART_STATEMENTS,
  assert: ['package-installed', 'package-absent', 'path-exists', 'path-absent', 'command-succeeds', 'command-output', 'drop'],
  release: ['releasever', 'version', 'platforms', 'builder'],
  platform: ['basearch', 'uname'],
  repository: ['name', 'baseurl', 'mirrorlist', 'gpgcheck', 'gpgkey', 'enabled'],
  replace: ['rule'],
  unknown: [],
};

/** Blocks in which `when` may be written. */
const CONDITIONAL: ReadonlySet<BlockKind> = new Set(['body', 'post', 'config', 'naming', 'kickstart', 'assert', 'repository']);

const VALUE_CHOICES: Record<string, string[]> = {
  'package-manager': ['dnf', 'microdnf', 'none'],
  ubi: ['base', 'init', 'micro', 'minimal'],
  'weak-deps': ['on', 'off'],
  docs: ['on', 'off'],
  'clean-after-install': ['on', 'off'],
  gpgcheck: ['on', 'off'],
  enabled: ['on', 'off'],
};

const PACKAGE_STATEMENTS = new Set(['install', 'exclude', 'remove', 'reinstall', 'omit', 'builder-install', 'package-installed', 'package-absent']);

export type CompletionContext =
  | { kind: 'statement'; block: BlockKind; keywords: string[] }
  | { kind: 'names'; of: 'image' | 'fragment' | 'release' | 'platform' | 'repository' }
  | { kind: 'packages' }
  | { kind: 'choices'; values: string[] }
  | { kind: 'condition'; values: string[] }
  | { kind: 'none' };

/** The longest prefix that is lexed for completion; past it, completion offers nothing. */
const MAX_PREFIX = 2_000_000;

export function completionContext(text: string, offset: number): CompletionContext {
  if (offset > MAX_PREFIX) return { kind: 'none' };
  const prefix = text.slice(0, offset);
  const tokens = lex(prefix).tokens;
  const stack: BlockKind[] = [];
  let line: IToken[] = [];
  let brackets = 0;
  for (const t of tokens) {
    const type = t.tokenType.name;
    if (type === 'LBracket') brackets++;
    if (type === 'RBracket') brackets = Math.max(0, brackets - 1);
    if (type === 'Newline') {
      if (brackets === 0) line = [];
      continue;
    }
    if (type === 'LBrace') {
      stack.push(blockOpenedBy(line, stack[stack.length - 1] ?? 'top'));
      line = [];
      brackets = 0;
      continue;
    }
    if (type === 'RBrace') {
      stack.pop();
      line = [];
      brackets = 0;
      continue;
    }
    line.push(t);
  }
  // The word being typed (touching the cursor) is what completion replaces; it is not context.
  const last = line[line.length - 1];
  if (last && last.startOffset + last.image.length === offset && /^(Word|When|Else|And|Or|Not|In)$/.test(last.tokenType.name)) line = line.slice(0, -1);
  const block = stack[stack.length - 1] ?? 'top';
  if (/^(StringLiteral|UnterminatedString|TextBlock|UnterminatedTextBlock)$/.test(last?.tokenType.name ?? '') && last!.startOffset + last!.image.length === offset) return { kind: 'none' };
  if (line.length === 0) {
    const keywords = [...STATEMENTS[block]];
    if (CONDITIONAL.has(block)) keywords.push('when');
    return { kind: 'statement', block, keywords };
  }
  const first = line[0]!;
  if (first.tokenType.name === 'When' || first.tokenType.name === 'Else') return conditionContext(line);
  const name = first.image;
  if (block === 'top') {
    if (name === 'image' && line.length === 2) return { kind: 'choices', values: ['extends'] };
    if (name === 'image' && line[2]?.image === 'extends') return { kind: 'names', of: 'image' };
    return { kind: 'none' };
  }
  if (name === 'use') return { kind: 'names', of: 'fragment' };
  if (name === 'releases') return { kind: 'names', of: 'release' };
  if (name === 'platforms') return { kind: 'names', of: 'platform' };
  if (name === 'repositories') return { kind: 'names', of: 'repository' };
  if (PACKAGE_STATEMENTS.has(name) && !(block === 'post' && name === 'remove')) return { kind: 'packages' };
  const choices = VALUE_CHOICES[name];
  if (choices && line.length === 1) return { kind: 'choices', values: choices };
  return { kind: 'none' };
}

function blockOpenedBy(line: IToken[], parent: BlockKind): BlockKind {
  const first = line[0];
  if (!first) return 'unknown';
  // `when … {`, `} else {` and `} else when … {` continue the enclosing block.
  if (first.tokenType.name === 'When' || first.tokenType.name === 'Else') return parent;
  const name = first.image;
  if (parent === 'top') {
    if (name === 'image' || name === 'fragment') return 'body';
    if (name === 'release' || name === 'platform' || name === 'repository') return name;
    return 'unknown';
  }
  if (parent === 'body' && (name === 'post' || name === 'config' || name === 'naming' || name === 'kickstart' || name === 'assert')) return name;
  if (parent === 'post' && name === 'replace') return 'replace';
  return 'unknown';
}

/** Inside `when …`: an axis after `when`, `and`, `or`, `not` or `(`; a value after a comparison. */
function conditionContext(line: IToken[]): CompletionContext {
  const toks = line[0]!.tokenType.name === 'Else' ? line.slice(1) : line;
  if (toks.length === 0) return { kind: 'choices', values: ['when'] };
  const prev = toks[toks.length - 1]!;
  const p = prev.tokenType.name;
  if (/^(When|And|Or|Not|LParen)$/.test(p)) return { kind: 'condition', values: ['release', 'platform', 'not'] };
  // After an operator, `in [`, or a comma inside the list: a value of the nearest axis.
  if (/^(Equals|NotEq|Greater|GreaterEq|Less|LessEq|In|LBracket|Comma)$/.test(p)) {
    for (let i = toks.length - 1; i >= 0; i--) {
      const w = toks[i]!.image;
      if (w === 'release' || w === 'platform') return { kind: 'names', of: w };
    }
    return { kind: 'none' };
  }
  if (prev.image === 'release' || prev.image === 'platform') return { kind: 'choices', values: prev.image === 'release' ? ['=', '!=', '>', '>=', '<', '<=', 'in'] : ['=', '!=', 'in'] };
  return { kind: 'choices', values: ['and', 'or'] };
}

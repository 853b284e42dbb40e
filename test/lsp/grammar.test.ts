// The TextMate grammar (grammar/alma.tmLanguage.json) against the lexer (src/phases/1-parse/tokens.ts):
// every real definition, and a file using every token type, is tokenized by both — the grammar with
// the real TextMate engine VS Code uses (vscode-textmate + oniguruma) — and each lexer token must get
// the scope of its kind, so the highlighting cannot drift from the language.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { allTokens, lex } from '../../src/phases/1-parse/tokens.js';
import { readSources } from '../../src/project-files.js';
import { REPO_ROOT } from '../helpers/paths.js';

const require = createRequire(import.meta.url);
let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(join(REPO_ROOT, 'grammar/alma.tmLanguage.json'), 'utf8'), 'alma.tmLanguage.json'),
  });
  grammar = (await registry.loadGrammar('source.alma'))!;
});

/** Scopes at each UTF-16 offset of the text, from the TextMate engine. */
function scopesAt(text: string): string[][] {
  const out: string[][] = [];
  let state = vsctm.INITIAL;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    const row: string[][] = [];
    for (const t of r.tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) row[i] = t.scopes;
    for (let i = 0; i < line.length; i++) out.push(row[i] ?? ['source.alma']);
    out.push(['source.alma']); // the newline
    state = r.ruleStack;
  }
  return out;
}

const EXPECTED: Record<string, RegExp> = {
  Comment: /^comment\.line/,
  TextBlock: /^string\.quoted\.triple/,
  StringLiteral: /^string\.quoted\.double/,
  LBrace: /^punctuation\.section\.block/,
  RBrace: /^punctuation\.section\.block/,
  LBracket: /^punctuation\.section\.list/,
  RBracket: /^punctuation\.section\.list/,
  LParen: /^punctuation\.section\.parens/,
  RParen: /^punctuation\.section\.parens/,
  Comma: /^punctuation\.separator\.comma/,
  Arrow: /^keyword\.operator/,
  GreaterEq: /^keyword\.operator/,
  LessEq: /^keyword\.operator/,
  NotEq: /^keyword\.operator/,
  Greater: /^keyword\.operator/,
  Less: /^keyword\.operator/,
  Equals: /^keyword\.operator/,
  When: /^keyword\.control/,
  Else: /^keyword\.control/,
  And: /^keyword\.control/,
  Or: /^keyword\.control/,
  Not: /^keyword\.control/,
  In: /^keyword\.control/,
  // A word is a statement name at the start of a line, a declared name, or a value.
  Word: /^(keyword\.other\.statement|storage\.type\.declaration|entity\.name\.type|storage\.modifier\.extends|meta\.value)/,
};

/** Checks every token of text; returns the mismatches as readable lines. */
function compare(name: string, text: string): string[] {
  const scopes = scopesAt(text);
  const lexed = lex(text);
  const tokens = [...lexed.tokens, ...(lexed.groups['comments'] ?? [])];
  const bad: string[] = [];
  for (const t of tokens) {
    const kind = t.tokenType.name === 'UnterminatedString' ? 'StringLiteral' : t.tokenType.name === 'UnterminatedTextBlock' ? 'TextBlock' : t.tokenType.name;
    if (kind === 'Newline') continue;
    const want = EXPECTED[kind];
    if (!want) {
      bad.push(`${name}: no expected scope for token type ${kind}`);
      continue;
    }
    for (let i = t.startOffset; i < t.startOffset + t.image.length; i++) {
      if (text[i] === '\n') continue;
      const s = scopes[i]!.slice(1);
      if (!s.some((x) => want.test(x))) {
        bad.push(`${name}:${t.startLine}:${t.startColumn} ${kind} ${JSON.stringify(t.image.slice(0, 40))} got ${s.join(' ') || '(none)'}`);
        break;
      }
    }
  }
  return bad;
}

const EVERY_TOKEN = `# every token type
release 9 {
  releasever 9
}
image demo extends base, other {
  install [bash, "dnf-command(config-manager)", dnf-command(config-manager), @core]
  when release >= 9 and not (platform = linux/386 or release in [8, 10]) {
    description "tab\\there \\u{1F600} {release}"
  } else when release < 9 {
    docs off
  } else when release <= 8 or release > 10 or release != 9 {
    docs on
  }
  post {
    symlink /a -> ../b
    remove /run/!x /var/cache/*
    raw-shell """
      echo "hi"   # not a comment
    """
    write /etc/x "unterminated
  }
}
`;

describe('TextMate grammar', () => {
  it('covers every token type of the lexer', () => {
    const names = allTokens.map((t) => t.name).filter((n) => !['Whitespace', 'LineContinuation', 'Newline', 'UnterminatedString', 'UnterminatedTextBlock'].includes(n));
    expect(names.filter((n) => !EXPECTED[n])).toEqual([]);
  });

  it('scopes every token of a file using every token type as the lexer reads it', () => {
    expect(compare('every-token.alma', EVERY_TOKEN)).toEqual([]);
  });

  it('scopes every token of the real definitions as the lexer reads it', () => {
    const bad: string[] = [];
    for (const [path, text] of readSources(REPO_ROOT).sources) bad.push(...compare(path, text));
    expect(bad).toEqual([]);
  });

  it('marks statement names and declarations', () => {
    const s = scopesAt('image minimal extends base {\n  install bash\n  when release = 8 {\n');
    expect(s[0]).toContain('storage.type.declaration.alma');
    expect(s[6]).toContain('entity.name.type.alma');
    expect(s['image minimal '.length]).toContain('storage.modifier.extends.alma');
    const line2 = 'image minimal extends base {\n'.length;
    expect(s[line2 + 2]).toContain('keyword.other.statement.alma');
    expect(s[line2 + 2 + 'install'.length + 1]).toContain('meta.value.alma');
  });
});

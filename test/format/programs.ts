// Random .alma sources that exercise the whole syntax: statements with words, strings (spelled with
// and without escapes), text blocks, arrows and lists; nested blocks; `when`/`else when`/`else`
// with and/or/not/parentheses/`in`; comments everywhere a comment may go; odd spacing. They are
// not meant to pass the analyzer, only the parser; the formatter has to handle all of them.
import fc from 'fast-check';
import { KEYWORDS } from '../../src/phases/1-parse/tokens.js';
import { quoteString } from '../../src/format/quote.js';

const word = fc
  .oneof(fc.stringMatching(/^[a-z0-9_@*$:.\/+][a-z0-9_@*$:.\/+!-]{0,10}$/), fc.stringMatching(/^[a-z][a-z-]{0,8}\([a-z:/-]{1,8}\)$/))
  .filter((w) => !KEYWORDS.includes(w) && !w.endsWith('!'));

const comment = fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((s) => `#${s.replace(/[\r\n]/g, ' ')}`);

const space = fc.constantFrom(' ', '  ', '\t', ' \t ');

/** A string literal: the canonical spelling, or with some characters written as \u{…} escapes. */
const stringLiteral = fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 12 })).map(([value, escape]) => {
  const chars = [...value];
  const quoted = chars.map((ch, i) => (escape[i] ? `\\u{${ch.codePointAt(0)!.toString(16)}}` : quoteString(ch).slice(1, -1)));
  return `"${quoted.join('')}"`;
});

/** A text block, its lines indented by `indent` plus a little, closed on its own line or not. */
const textBlock = fc
  .record({
    lines: fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 16 }).map((l) => l.replace(/["\r\n]/g, "'")), { minLength: 1, maxLength: 4 }),
    indent: fc.integer({ min: 0, max: 6 }),
    extra: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    closingOwnLine: fc.boolean(),
  })
  .map(({ lines, indent, extra, closingOwnLine }) => {
    const body = lines.map((l, i) => (l.trim() === '' ? ' '.repeat(extra[i]!) : ' '.repeat(indent + extra[i]!) + l));
    if (!closingOwnLine && body[body.length - 1]!.trim() === '') body.push(' '.repeat(indent) + 'x');
    return `"""\n${body.join('\n')}${closingOwnLine ? `\n${' '.repeat(indent)}"""` : '"""'}`;
  });

const listItem = fc.oneof({ weight: 4, arbitrary: word }, { weight: 2, arbitrary: stringLiteral }, { weight: 1, arbitrary: textBlock });

/** Between list items: commas, spaces, line breaks, and comments (always ended by a line break). */
const listSeparator = fc.oneof(
  fc.constant(', '),
  fc.constant(' '),
  fc.constant(',\n  '),
  fc.constant('\n'),
  comment.map((c) => ` ${c}\n`),
  comment.map((c) => `,\n  ${c}\n  `),
);

const list = fc.tuple(fc.array(fc.tuple(listSeparator, listItem), { maxLength: 7 }), fc.oneof(fc.constant(''), listSeparator)).map(([items, end]) => {
  const [first, ...rest] = items;
  const opening = first ? (first[0].includes('#') ? first[0] : '') + first[1] : '';
  return `[${opening}${rest.map(([sep, item]) => sep + item).join('')}${end}]`;
});

const inlineList = fc.array(fc.oneof(word, stringLiteral), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`);

const argument = fc.oneof({ weight: 5, arbitrary: word }, { weight: 2, arbitrary: stringLiteral }, { weight: 2, arbitrary: list }, { weight: 1, arbitrary: textBlock }, { weight: 1, arbitrary: fc.constant('->') });

const comparison = fc.oneof(
  fc.tuple(word, fc.constantFrom('=', '!=', '>', '>=', '<', '<='), fc.oneof(word, stringLiteral)).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(word, inlineList).map(([a, l]) => `${a} in ${l}`),
);

/** Conditions nest up to `depth` levels of and/or/not/parentheses. */
function conditionAt(depth: number): fc.Arbitrary<string> {
  if (depth === 0) return comparison;
  const inner = conditionAt(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: comparison },
    { weight: 1, arbitrary: fc.tuple(inner, fc.constantFrom('and', 'or'), inner).map(([a, op, b]) => `${a} ${op} ${b}`) },
    { weight: 1, arbitrary: inner.map((c) => `not ${c}`) },
    { weight: 1, arbitrary: inner.map((c) => `(${c})`) },
  );
}
const condition = conditionAt(2);

/** Nodes with the comments and blank lines that may surround them; blocks nest `depth` deep. */
function nodesAt(depth: number): fc.Arbitrary<string> {
  const node = nodeAt(depth);
  return fc
    .array(
      fc.record({
        before: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('\n') }, { weight: 1, arbitrary: comment.map((c) => `${c}\n`) }),
        indent: fc.constantFrom('', '  ', '    ', '\t'),
        node,
        trailing: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: comment.map((c) => ` ${c}`) }),
      }),
      { maxLength: 3 },
    )
    .map((ns) => ns.map((n) => `${n.before}${n.indent}${n.node}${n.trailing}\n`).join(''));
}

function blockAt(depth: number): fc.Arbitrary<string> {
  const inner = depth === 0 ? fc.constant('') : nodesAt(depth - 1);
  return fc.tuple(fc.oneof(fc.constant(''), comment.map((c) => ` ${c}`)), inner).map(([c, nodes]) => `{${c}\n${nodes}}`);
}

function whenAt(depth: number): fc.Arbitrary<string> {
  const block = blockAt(depth);
  const otherwise = depth === 0 ? block : fc.oneof(block, whenAt(depth - 1));
  return fc.tuple(condition, block, fc.option(otherwise, { nil: undefined })).map(([c, then, e]) => `when ${c} ${then}${e !== undefined ? ` else ${e}` : ''}`);
}

function nodeAt(depth: number): fc.Arbitrary<string> {
  const statement = fc
    .tuple(word, fc.array(fc.tuple(fc.constantFrom(' ', ', ', ' , '), argument), { maxLength: 4 }), fc.option(blockAt(depth), { nil: undefined }), space)
    .map(([name, args, block, sp]) => `${name}${args.map(([sep, a]) => sep + a).join('')}${block !== undefined ? sp + block : ''}`);
  return fc.oneof({ weight: 3, arbitrary: statement }, { weight: 1, arbitrary: whenAt(depth) });
}

/** A whole file: blocks up to three levels deep. */
export const program = nodesAt(3);

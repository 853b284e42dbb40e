// The real parser on the real definitions, then one construct at a time.
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import type { Statement } from '../../src/model/ast.js';
import { parseView, spanView, valueView } from '../helpers/ast.js';
import { definitionSources } from '../helpers/project.js';

describe('the real definitions', () => {
  const sources = definitionSources();

  it('finds every definition file', () => {
    expect([...sources.keys()]).toEqual(
      expect.arrayContaining([
        'definitions/platforms-and-releases.alma',
        'definitions/repositories.alma',
        'definitions/fragments/common.alma',
        'definitions/fragments/full-images.alma',
        ...['base', 'default', 'init', 'micro', 'minimal', 'toolbox'].map((i) => `definitions/images/${i}.alma`),
      ]),
    );
  });

  for (const [path, text] of sources) {
    it(`parses ${path} without diagnostics`, () => {
      const r = parseSource(path, text);
      expect(r.diagnostics).toEqual([]);
      expect(r.file.nodes.length).toBeGreaterThan(0);
      // Every top-level node is a declaration statement with a name and a block.
      for (const n of r.file.nodes) {
        expect(n.kind).toBe('statement');
        const st = n as Statement;
        expect(['release', 'platform', 'repository', 'registry', 'fragment', 'image']).toContain(st.name);
        expect(st.args[0]?.kind).toBe('word');
        expect(st.block).toBeDefined();
      }
    });
  }

  it('keeps every comment of a file, with its position', () => {
    const text = sources.get('definitions/images/micro.alma')!;
    const r = parseSource('micro.alma', text);
    const expected = text.split('\n').flatMap((line, i) => {
      const at = line.indexOf('#');
      return at >= 0 && !line.slice(0, at).includes('"') ? [{ text: line.slice(at), line: i + 1, col: at + 1 }] : [];
    });
    expect(expected.length).toBeGreaterThan(2);
    expect(r.file.comments.map((c) => ({ text: c.text, line: c.span.line, col: c.span.col }))).toEqual(expected);
  });
});

describe('statements and values', () => {
  it('reads a statement as a name, arguments and an optional block', () => {
    expect(parseView('image a extends b {\n  install x "y z"\n}\n')).toEqual({ nodes: [{ 'image a extends b': ['install x "y z"'] }], codes: [] });
  });

  it('lets a list span lines, with or without commas', () => {
    const text = 'install [\n  a,\n  b\n  c, d,\n]\nremove e\n';
    expect(parseView(text)).toEqual({ nodes: ['install [a, b, c, d]', 'remove e'], codes: [] });
  });

  it('joins a line ending in a backslash with the next one', () => {
    expect(parseView('install a \\\n  b\nremove c\n')).toEqual({ nodes: ['install a b', 'remove c'], codes: [] });
  });

  it('reads `->` as its own argument', () => {
    expect(parseView('symlink /etc/localtime -> ../usr/share/zoneinfo/UTC\n').nodes).toEqual(['symlink /etc/localtime -> ../usr/share/zoneinfo/UTC']);
    const st = parseSource('t', 'rule "a" -> "b"\n').file.nodes[0] as Statement;
    expect(st.args.map((a) => a.kind)).toEqual(['string', 'arrow', 'string']);
  });

  it('keeps balanced parentheses inside a word, so RPM provides need no quotes', () => {
    const st = parseSource('t', 'install dnf-command(config-manager) perl(Foo::Bar) x\n').file.nodes[0] as Statement;
    expect(st.args.map((a) => [a.kind, a.text])).toEqual([
      ['word', 'dnf-command(config-manager)'],
      ['word', 'perl(Foo::Bar)'],
      ['word', 'x'],
    ]);
  });

  it('rejects an unbalanced parenthesis in a word at the parenthesis', () => {
    const r = parseSource('t', 'install foo(bar\n');
    expect(r.diagnostics.map((d) => [d.code, d.span.line, d.span.col])).toEqual([['E010', 1, 12]]);
  });

  it('treats `#` as a comment outside strings only', () => {
    const r = parseSource('t', 'write /x "a # b" # trailing\n# own line\n');
    expect(r.file.nodes.map((n) => (n as Statement).args.map(valueView))).toEqual([['/x', '"a # b"']]);
    expect(r.file.comments.map((c) => c.text)).toEqual(['# trailing', '# own line']);
  });

  it('accepts CRLF line endings', () => {
    expect(parseView('install a\r\nremove b\r\n')).toEqual({ nodes: ['install a', 'remove b'], codes: [] });
  });
});

describe('strings and text blocks', () => {
  const stringValue = (literal: string) => {
    const r = parseSource('t', `x ${literal}\n`);
    return { text: (r.file.nodes[0] as Statement).args[0]!.text, codes: r.diagnostics.map((d) => d.code) };
  };

  it('unescapes \\n \\t \\r \\\\ \\" \\$ \\0', () => {
    expect(stringValue(String.raw`"a\nb\tc\rd\\e\"f\$g\0h"`)).toEqual({ text: 'a\nb\tc\rd\\e"f$g\0h', codes: [] });
  });

  it('unescapes \\u{…} to any Unicode scalar value', () => {
    expect(stringValue(String.raw`"\u{41}\u{e9}\u{1F600}\u{10FFFF}"`)).toEqual({ text: 'Aé😀\u{10FFFF}', codes: [] });
  });

  it('rejects surrogates and values beyond U+10FFFF in \\u{…}', () => {
    expect(stringValue(String.raw`"\u{D800}"`).codes).toEqual(['E004']);
    expect(stringValue(String.raw`"\u{110000}"`).codes).toEqual(['E004']);
    expect(stringValue(String.raw`"\u{}"`).codes).toEqual(['E004']);
  });

  it('dedents a text block by its common indentation, closing delimiter included', () => {
    const r = parseSource('t', 'write /etc/x """\n      one\n        two\n\n      three\n      """\n');
    expect((r.file.nodes[0] as Statement).args[1]).toMatchObject({ kind: 'text', text: 'one\n  two\n\nthree\n' });
    expect(r.diagnostics).toEqual([]);
  });

  it('ends a text block with a newline only when `"""` stands on its own line', () => {
    const own = parseSource('t', 'x """\n  a\n  b\n  """\n');
    const inline = parseSource('t', 'x """\n  a\n  b"""\n');
    expect((own.file.nodes[0] as Statement).args[0]!.text).toBe('a\nb\n');
    expect((inline.file.nodes[0] as Statement).args[0]!.text).toBe('a\nb');
  });

  it('does not process escapes in a text block', () => {
    const r = parseSource('t', 'x """\n  a\\nb $HOME %s\n  """\n');
    expect((r.file.nodes[0] as Statement).args[0]!.text).toBe('a\\nb $HOME %s\n');
  });

  it('requires a line break after the opening `"""`', () => {
    expect(parseSource('t', 'x """a\n"""\n').diagnostics.map((d) => d.code)).toEqual(['E005']);
  });
});

describe('conditions', () => {
  it('reads when / else when / else as nested branches', () => {
    const text = 'when release = 8 {\n  a\n} else when release in [9, 10] {\n  b\n} else {\n  c\n}\n';
    expect(parseView(text)).toEqual({
      nodes: [{ when: 'release = 8', then: ['a'], else: [{ when: 'release in [9, 10]', then: ['b'], else: ['c'] }] }],
      codes: [],
    });
  });

  it('binds `not` tighter than `and`, and `and` tighter than `or`', () => {
    const c = parseView('when not release = 8 and platform = linux/386 or release >= 10 { x }\n').nodes[0] as { when: string };
    expect(c.when).toBe('((not (release = 8) and platform = linux/386) or release >= 10)');
  });

  it('lets parentheses regroup', () => {
    const c = parseView('when not (release = 8 and (platform != linux/386 or release < 9)) { x }\n').nodes[0] as { when: string };
    expect(c.when).toBe('not ((release = 8 and (platform != linux/386 or release < 9)))');
  });

  it('reads every comparison operator', () => {
    const ops = ['=', '!=', '>', '>=', '<', '<='];
    for (const op of ops) {
      const c = parseView(`when release ${op} 9 { x }\n`);
      expect(c).toEqual({ nodes: [{ when: `release ${op} 9`, then: ['x'] }], codes: [] });
    }
  });

  it('lets an `in` list span lines', () => {
    expect((parseView('when release in [\n  9,\n  10\n] { x }\n').nodes[0] as { when: string }).when).toBe('release in [9, 10]');
  });

  it('keeps keywords usable as words outside conditions', () => {
    expect(parseView('install android notify ordinary ingress elsewhere whenever\n').nodes).toEqual(['install android notify ordinary ingress elsewhere whenever']);
  });
});

describe('spans', () => {
  const text = 'image a {\n  install [x,\n    y]\n  when release >= 9 {\n    remove /z\n  }\n}\n';
  const file = parseSource('t.alma', text).file;
  const image = file.nodes[0] as Statement;
  const install = image.block!.nodes[0] as Statement;

  it('locates statements, names and values by 1-based line and column', () => {
    expect(spanView(image.nameSpan)).toBe('1:1-1:6');
    expect(spanView(image.args[0]!.span)).toBe('1:7-1:8');
    expect(spanView(install.nameSpan)).toBe('2:3-2:10');
    expect(spanView(install.args[0]!.span)).toBe('2:11-3:7');
    expect(install.args[0]!.items!.map((i) => spanView(i.span))).toEqual(['2:12-2:13', '3:5-3:6']);
  });

  it('covers a block from `{` to `}` and a statement from its name to its end', () => {
    expect(spanView(image.block!.span)).toBe('1:9-7:2');
    expect(spanView(image.span)).toBe('1:1-7:2');
  });

  it('locates the parts of a condition', () => {
    const when = image.block!.nodes[1]!;
    if (when.kind !== 'when' || when.condition.kind !== 'compare') throw new Error('expected a when block with a comparison');
    expect(spanView(when.span)).toBe('4:3-6:4');
    expect(spanView(when.condition.axisSpan)).toBe('4:8-4:15');
    expect(spanView(when.condition.values[0]!.span)).toBe('4:19-4:20');
  });

  it('agrees with the offsets into the text', () => {
    for (const v of [image.args[0]!, ...install.args[0]!.items!]) expect(text.slice(v.span.offset, v.span.offset + v.span.length)).toBe(v.text);
  });
});

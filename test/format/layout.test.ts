// The canonical layout, rule by rule, on small inputs run through the real formatter.
import { describe, expect, it } from 'vitest';
import { formatSource, sameMeaning } from '../../src/format/format.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { quoteString } from '../../src/format/quote.js';
import { unescapeString } from '../../src/phases/1-parse/strings.js';

/** Formats `text`; fails the test with the diagnostics when the formatter refuses it. */
function fmt(text: string): string {
  const r = formatSource('test.alma', text);
  if (r.text === undefined) throw new Error(`refused: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return r.text;
}

/** Source written with `|` as the left margin, so expected layouts can be indented with the test. */
const src = (s: string) => s.replace(/^[ \t]*\|/gm, '').replace(/^\n/, '').replace(/\n[ \t]*$/, '\n');

describe('almac fmt layout', () => {
  it('indents blocks by two spaces and puts one statement on each line', () => {
    expect(fmt('image a {\n\t\tdescription "x"\n      post { mkdir /run/lock }\n}\n')).toBe(
      src(`
        |image a {
        |  description "x"
        |  post {
        |    mkdir /run/lock
        |  }
        |}
      `),
    );
  });

  it('separates top-level declarations by exactly one blank line', () => {
    expect(fmt('platform a/b {\n  basearch x\n}\nplatform c/d {\n  basearch y\n}\n\n\n\nrelease 9 {\n}\n')).toBe(
      src(`
        |platform a/b {
        |  basearch x
        |}
        |
        |platform c/d {
        |  basearch y
        |}
        |
        |release 9 {}
      `),
    );
  });

  it('keeps one blank line where blocks had several, and none at the start or end of a block', () => {
    expect(fmt('image a {\n\n\n  install a\n\n\n\n  install b\n  install c\n\n}\n')).toBe(
      src(`
        |image a {
        |  install a
        |
        |  install b
        |  install c
        |}
      `),
    );
  });

  it('writes short lists inline and lists of more than four items one per line, in their order', () => {
    expect(fmt('image a {\n  install [ b,\n   a ]\n  install [e, d, c, b, a]\n}\n')).toBe(
      src(`
        |image a {
        |  install [b, a]
        |  install [
        |    e
        |    d
        |    c
        |    b
        |    a
        |  ]
        |}
      `),
    );
  });

  it('breaks a list that would not fit in 100 columns, and keeps what follows it on the closing line', () => {
    const long = Array.from({ length: 3 }, (_, i) => `/usr/share/rootfiles/some-rather-long-file-name-${i}`);
    expect(fmt(`image a {\n  post {\n    copy-from-builder [${long.join(', ')}] to /root/ mode 0644\n  }\n}\n`)).toBe(
      src(`
        |image a {
        |  post {
        |    copy-from-builder [
        |      ${long[0]}
        |      ${long[1]}
        |      ${long[2]}
        |    ] to /root/ mode 0644
        |  }
        |}
      `),
    );
  });

  it('keeps a statement with several lists on one line while it fits', () => {
    const line = '    enable-repos matching [crb, powertools, codeready] except [debug, source, eus, virt, rhui]';
    expect(fmt(`image a {\n  post {\n${line}\n  }\n}\n`)).toBe(`image a {\n  post {\n${line}\n  }\n}\n`);
  });

  it('keeps own-line and trailing comments with the code they belong to', () => {
    expect(fmt('# about a\nimage a {   # opens a\n  # before install\n  install [x, # why x\n  y]\n  # at the end of a\n}  # closes a\n')).toBe(
      src(`
        |# about a
        |image a {  # opens a
        |  # before install
        |  install [
        |    x  # why x
        |    y
        |  ]
        |  # at the end of a
        |}  # closes a
      `),
    );
  });

  it('puts a comment that follows a declaration after the blank line that separates declarations', () => {
    expect(fmt('image a {\n}\n# about b\nimage b {\n}\n')).toBe('image a {}\n\n# about b\nimage b {}\n');
  });

  it('spells conditions with single spaces and no space inside parentheses', () => {
    expect(fmt('image a {\n  when (release>=9 and not(platform=linux/386))or release in [8,\n 9]{\n    install x\n  }else when release=8{\n  install y\n  } else {\n  }\n}\n')).toBe(
      src(`
        |image a {
        |  when (release >= 9 and not (platform = linux/386)) or release in [8, 9] {
        |    install x
        |  } else when release = 8 {
        |    install y
        |  } else {}
        |}
      `),
    );
  });

  it('keeps one comma between arguments where the author wrote any, and drops stray ones', () => {
    expect(fmt('image a {\n  use x,y ,, z\n  use , p q,\n}\n')).toBe('image a {\n  use x, y, z\n  use p q\n}\n');
  });

  it('re-quotes strings canonically', () => {
    expect(fmt('image a {\n  description "caf\\u{e9} \\$HOME \\u{7}\\"q\\" \\\\ tab\\tend"\n}\n')).toBe('image a {\n  description "café $HOME \\u{7}\\"q\\" \\\\ tab\\tend"\n}\n');
  });

  it('re-indents text blocks without changing their text', () => {
    const input = 'image a {\n  post {\n          write /etc/x """\n              first\n                indented\n\n              last\n              """ mode 0644\n  }\n}\n';
    expect(fmt(input)).toBe(
      src(`
        |image a {
        |  post {
        |    write /etc/x """
        |      first
        |        indented
        |
        |      last
        |      """ mode 0644
        |  }
        |}
      `),
    );
  });

  it('keeps a text block that ends without a final newline that way', () => {
    expect(fmt('image a {\n  post {\n    write /x """\n   no newline"""\n  }\n}\n')).toBe('image a {\n  post {\n    write /x """\n      no newline"""\n  }\n}\n');
  });

  it('joins lines continued with a backslash and normalises line endings', () => {
    expect(fmt('image a {\r\n  install a \\\r\n     b\r\n}\r\n')).toBe('image a {\n  install a b\n}\n');
  });

  it('leaves an empty file empty', () => {
    expect(fmt('')).toBe('');
    expect(fmt('\n\n')).toBe('');
  });

  it('refuses a file with syntax errors and reports them', () => {
    const r = formatSource('test.alma', 'image a {\n  install [a, b\n}\n');
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain('E010');
  });
});

describe('the meaning check run before anything is written', () => {
  const parse = (text: string) => parseSource('test.alma', text);
  it('accepts a pure relayout', () => {
    expect(sameMeaning(parse('image a { install [x,y] } # c\n').file, parse('image a {\n  install [x, y]\n}  # c\n'))).toBeUndefined();
  });
  it('catches a changed value, a lost comment and a result that does not parse', () => {
    expect(sameMeaning(parse('image a {\n  install x\n}\n').file, parse('image a {\n  install y\n}\n'))).toBe('the syntax trees differ');
    expect(sameMeaning(parse('image a {\n  install "x"\n}\n').file, parse('image a {\n  install x\n}\n'))).toBe('the syntax trees differ');
    expect(sameMeaning(parse('image a {} # c\n').file, parse('image a {}\n'))).toBe('the comments differ');
    expect(sameMeaning(parse('image a {}\n').file, parse('image a {\n'))).toMatch(/^the result does not parse: /);
  });
});

describe('quoteString', () => {
  it('is read back by the parser as the same string, for every kind of character', () => {
    const samples = ['', 'plain', 'a "quoted" \\ word', 'line\nbreak\ttab\rcr', '\u0000\u0001\u001f\u007f', '$basearch ${x}', 'é 漢字 🙂', '\u2028'];
    for (const s of samples) expect(unescapeString(quoteString(s))).toEqual({ value: s });
  });
});

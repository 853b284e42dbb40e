// Lexical and syntax errors (E0xx): each is reported with its code, position and a useful message,
// the parser recovers so that one run reports every error in a file, and nothing throws.
import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../src/diagnostics/render.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { at, compileInline, diagnostics, reported } from '../helpers/inline.js';

describe('syntax errors', () => {
  it('E001: a NUL byte makes the file unreadable as text', () => {
    const text = 'image t {\n  install a\u0000b\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E001', at: at(text, '\u0000'), message: 'NUL byte' }]));
  });

  it('E002: a character that cannot start any token', () => {
    const text = 'image t {\n  releases [9]\n  install dnf !x\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E002', at: at(text, '!'), message: 'unexpected character `!`' }]));
  });

  it('E003: a string not closed before the end of the line, reported once', () => {
    const text = 'image t {\n  releases [9]\n  install dnf\n  post {\n    write /etc/x "abc\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E003', at: at(text, '"abc'), message: 'string is not closed', hint: 'text block' }]));
  });

  it('E003: a text block never closed, without the syntax errors it causes further down', () => {
    const text = 'image t {\n  releases [9]\n  install dnf\n  post {\n    write /etc/x """\n      abc\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E003', at: at(text, '"""'), message: 'text block is never closed' }]));
  });

  it('E004: an unknown escape, and a \\u{…} that is not a Unicode scalar value', () => {
    const text = 'image t {\n  description "a\\qb"\n  releases [9]\n  install dnf\n  config {\n    env A "\\u{D800}"\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E004', at: at(text, '\\q'), message: 'unknown escape `\\q`', hint: 'backslash' },
        { code: 'E004', at: at(text, '\\u'), message: 'escape' },
      ]),
    );
  });

  it('E005: text on the line of the opening `"""`', () => {
    const text = 'image t {\n  releases [9]\n  install dnf\n  post {\n    write /x """abc\n    """\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E005', at: at(text, '"""'), message: 'must start with a line break' }]));
  });

  it('E010: reports several syntax errors from one file and recovers after each', () => {
    const text = [
      'image a {',
      '  install [x, y', // 2: the list is not closed
      '  post {',
      '  }',
      '}',
      'image b {',
      '  when release >= { }', // 7: no value after >=
      '  install y',
      '}',
      '}', // 10: stray brace
      'image c {',
      '  install z',
      '',
    ].join('\n');
    const c = compileInline(text);
    expect(reported(c).filter((d) => d.code.startsWith('E0'))).toEqual(
      diagnostics([
        { code: 'E010', at: at(text, '{', 2), message: 'expected `]`, found `{`', hint: 'every `[` needs a matching `]`' },
        { code: 'E010', at: at(text, '{ }'), message: 'expected a comparison operator', hint: 'release >= 9' },
        { code: 'E010', at: 'test.alma:10:1', message: 'found `}`', hint: 'no matching `{`' },
        // Never closed: reported at its `{`, naming the block (E013), not at the end of the file.
        { code: 'E013', at: 'test.alma:11:9', message: 'this `{` of `image c` is never closed', hint: 'where the `image c` block ends' },
      ]),
    );
    // Recovery keeps the statements around the errors, so later phases still see image b's body.
    const b = parseSource('test.alma', text).file.nodes.find((n) => n.kind === 'statement' && n.args[0]?.text === 'b');
    expect(b?.kind === 'statement' && b.block?.nodes.some((n) => n.kind === 'statement' && n.name === 'install')).toBe(true);
  });

  it('E010: `else` on its own line', () => {
    const text = 'image t {\n  when release = 9 {\n    install x\n  }\n  else {\n    install y\n  }\n}\n';
    expect(reported(compileInline(text))[0]).toEqual(diagnostics([{ code: 'E010', at: at(text, 'else'), message: 'found `else`', hint: '`} else {`' }])[0]);
  });

  it('E010: an unbalanced `(` in a condition', () => {
    const text = 'image t {\n  releases [9]\n  install dnf\n  when (release = 9 {\n    install x\n  }\n}\n';
    expect(reported(compileInline(text))[0]).toEqual(diagnostics([{ code: 'E010', at: at(text, '{', 2), message: 'expected `)`', hint: 'matching `)`' }])[0]);
  });

  it('E011: nesting too deep for later phases', () => {
    const depth = 70;
    const text = 'image t {\n' + 'post {\n'.repeat(depth) + '}\n'.repeat(depth) + '}\n';
    expect(reported(compileInline(text)).map((d) => d.code)).toContain('E011');
  });

  it('renders each diagnostic with its location, source line, caret, expectation and hint', () => {
    const text = 'image t {\n  releases [9]\n  install [dnf, bash\n}\n';
    const c = compileInline(text);
    const out = renderDiagnostics(c.diagnostics, { color: false, sources: c.sources });
    expect(out).toContain('error[E010]: expected `]`, found `}`');
    expect(out).toContain('  --> definitions/test.alma:4:1');
    expect(out).toContain('4 | }\n  | ^');
    expect(out).toContain('= expected: `]`');
    expect(out).toContain('= help: lists look like `[a, b, c]`');
    expect(out.trimEnd().endsWith('1 error')).toBe(true);
  });
});

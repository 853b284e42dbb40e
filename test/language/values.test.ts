// Values mean what they say: one glob dialect, split package names, both rejected with a hint.
import { describe, expect, it } from 'vitest';
import { globMatches, parseGlob } from '../../src/util/glob.js';
import { at, compileInline, errorsOf, imageWith, where } from '../helpers/inline.js';

describe('the glob dialect', () => {
  it('matches *, ? and [...] within a segment, and never a leading dot by a wildcard', () => {
    expect(globMatches('python3*', 'python3-libs')).toBe(true);
    expect(globMatches('python3?', 'python3')).toBe(false);
    expect(globMatches('lib[a-c]x', 'libbx')).toBe(true);
    expect(globMatches('lib[!a-c]x', 'libbx')).toBe(false);
    expect(globMatches('/tmp/*', '/tmp/a/b')).toBe(false);
  });

  it.each([
    ['/tmp/a\\b', '`\\` escapes'],
    ['/tmp/**', '`**`'],
    ['/tmp/{a,b}', 'brace lists'],
    ['/tmp/@(a|b)', 'extended globs'],
    ['/tmp/[[:alpha:]]', 'character classes'],
    ['/tmp/[^a]', '`[!abc]`, not `[^abc]`'],
    ['/tmp/[a', 'unclosed `[`'],
    ['/tmp/a]', '`]` without its `[`'],
    ['/tmp/[]', 'empty set'],
    ['/tmp/[a/b]', 'unclosed `[`'],
  ])('rejects %s', (p, why) => {
    expect(parseGlob(p).error).toContain(why);
  });

  it('rejects paths outside the dialect in remove, delete-lines and replace with E310', () => {
    const text = imageWith('  post {\n    remove "/tmp/.[!.]*" "/tmp/{a,b}"\n    delete-lines "/etc/[x" matching "y"\n  }');
    expect(errorsOf(compileInline(text)).map(where)).toEqual([`E310 definitions/${at(text, '"/tmp/{a,b}"')}`, `E310 definitions/${at(text, '"/etc/[x"')}`]);
  });

  it('accepts sets in package globs and rejects broken ones', () => {
    expect(errorsOf(compileInline(imageWith('  exclude "langpacks-[a-d]*"')))).toEqual([]);
    const e = errorsOf(compileInline(imageWith('  exclude "langpacks-[a"')));
    expect(e.map((d) => d.code)).toEqual(['E320']);
    expect(e[0]!.hint).toContain('unclosed `[`');
  });
});

describe('package names split by a space (E322)', () => {
  it('an item ending in `-`, with the joined name as hint', () => {
    const text = imageWith('  install [python3, python3- pip]');
    const e = errorsOf(compileInline(text));
    expect(e.map(where)).toEqual([`E322 definitions/${at(text, 'python3-')}`]);
    expect(e[0]!.hint).toContain('did you mean `python3-pip`?');
  });

  it('an item starting with `-` right after another on the same line', () => {
    const text = imageWith('  install python3 -devel');
    const e = errorsOf(compileInline(text));
    expect(e.map(where)).toEqual([`E322 definitions/${at(text, '-devel')}`]);
    expect(e[0]!.hint).toContain('did you mean `python3-devel`?');
  });

  it('an item ending in `-` at the end of a line still gets a hint', () => {
    const e = errorsOf(compileInline(imageWith('  install [\n    python3-\n    pip\n  ]')));
    expect(e.map((d) => d.code)).toEqual(['E322']);
    expect(e[0]!.hint).toContain('RPM names do not end in `-`');
  });
});

// The `official-library { … }` block: what it resolves to, and its diagnostics.
import { describe, expect, it } from 'vitest';
import { compileInline, errorsOf, imageWith, where, at } from '../helpers/inline.js';

const block = (inner: string) => imageWith(`  official-library {\n${inner}\n  }`);

describe('official-library { … }', () => {
  it('resolves to the library, maintainers and tags with the release filled in', () => {
    const c = compileInline(block('    library almalinux\n    git-repo "https://example.invalid/images.git"\n    maintainer "Jane Doe <jane@example.invalid> (@jane)"\n    tags ["{release}", "{version}-{date}"]\n    newest-tag latest'));
    expect(errorsOf(c)).toEqual([]);
    const ol = c.images[0]!.officialLibrary!;
    expect(ol.library).toBe('almalinux');
    expect(ol.maintainers).toEqual(['Jane Doe <jane@example.invalid> (@jane)']);
    expect(ol.tags[0]).toBe(c.images[0]!.release);
    expect(ol.tags[1]).toBe(`${c.images[0]!.version}-{date}`);
    expect(ol.newestTags).toEqual(['latest']);
  });

  it('leaves images without the block out of every library', () => {
    const c = compileInline(imageWith(''));
    expect(c.images.every((s) => s.officialLibrary === undefined)).toBe(true);
  });

  const bad: [string, string, string][] = [
    ['    library almalinux\n    tags ["9 beta"]', 'E343', '"9 beta"'],
    ['    library almalinux\n    tags ["{build}"]', 'E341', '"{build}"'],
    ['    library almalinux\n    maintainer "Jane Doe <jane@example.invalid>"\n    tags [x]', 'E343', '"Jane Doe <jane@example.invalid>"'],
    ['    library Alma_Linux\n    tags [x]', 'E343', 'Alma_Linux'],
    ['    libary almalinux\n    tags [x]', 'E201', 'libary'],
  ];
  for (const [inner, code, needle] of bad) {
    it(`${code}: rejects ${needle}`, () => {
      const text = block(inner);
      const errs = errorsOf(compileInline(text));
      expect(errs.map(where)).toContain(`${code} ${at(text, needle, 1, "definitions/test.alma")}`);
    });
  }

  it('E415: needs a library name and a tag', () => {
    const errs = errorsOf(compileInline(block('    tags [x]')));
    expect(errs.map((d) => d.code)).toContain('E415');
    expect(errs.find((d) => d.code === 'E415')!.message).toContain('no `library NAME` says which');
    const none = errorsOf(compileInline(block('    library almalinux')));
    expect(none.find((d) => d.code === 'E415')!.message).toContain('needs at least one tag');
  });
});

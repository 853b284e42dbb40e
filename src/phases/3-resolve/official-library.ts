// Phase 3 for `official-library { … }`: the blocks an image inherits and uses add up to one
// OfficialLibrarySpec per release, with the release's placeholders filled in.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.js';
import type { OfficialLibraryItem } from '../../model/checked.js';
import type { OfficialLibrarySpec } from '../../model/spec.js';

export interface OfficialLibraryCollector {
  add(item: OfficialLibraryItem, span: Span): void;
  /** undefined when the image has no `official-library` block. */
  finish(fill: (template: string) => string, fail: (code: string, span: Span, message: string, extra?: Partial<Diagnostic>) => void): OfficialLibrarySpec | undefined;
}

export function officialLibraryCollector(): OfficialLibraryCollector {
  let first: Span | undefined;
  let library: string | undefined;
  let gitRepo: string | undefined;
  const maintainers: string[] = [];
  let tags: string[] = [];
  const newestTags: string[] = [];
  const addAll = (to: string[], vs: string[]) => {
    for (const v of vs) if (!to.includes(v)) to.push(v);
  };
  return {
    add(item, span) {
      first ??= span;
      switch (item.key) {
        case 'library':
          library = item.value;
          break;
        case 'git-repo':
          gitRepo = item.value;
          break;
        case 'maintainer':
          addAll(maintainers, [item.value]);
          break;
        case 'tags':
          tags = [...item.value];
          break;
        case 'tag':
          addAll(tags, item.value);
          break;
        case 'newest-tag':
          addAll(newestTags, item.value);
          break;
      }
    },
    finish(fill, fail) {
      if (!first) return undefined;
      if (!library) {
        fail('E415', first, 'the image is in an official library, but no `library NAME` says which', { expected: '`library NAME` inside `official-library { … }`', hint: 'add `library almalinux` (the name of the library/ file)' });
        return undefined;
      }
      const filled = [...new Set(tags.map(fill))];
      if (filled.length === 0) fail('E415', first, 'an official-library image needs at least one tag', { expected: '`tags [...]` inside `official-library { … }`', hint: 'e.g. `tags ["{release}", "{version}", "{version}-{date}"]`' });
      return { library, gitRepo, maintainers, tags: filled, newestTags: [...new Set(newestTags.map(fill))].filter((t) => !filled.includes(t)) };
    },
  };
}

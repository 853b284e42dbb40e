// The `official-library { … }` block of an image: the image is part of a Docker Official Images
// library (a `library/NAME` file of bashbrew's format), with the tags Docker publishes it under.
//
//   official-library {
//     library almalinux                     # the library file's name
//     git-repo "https://github.com/AlmaLinux/container-images.git"
//     maintainer "The AlmaLinux OS Foundation <cloud-infra@almalinux.org> (@AlmaLinux)"
//     tags ["{release}", "{version}", "{version}-{date}"]   # replaces; `tag X` adds
//     newest-tag latest                     # only on the image's newest numbered release
//   }
//
// Several blocks (e.g. one in a fragment, one in the image) add up, like `naming`.
import { error } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import type { BodyItem, OfficialLibraryItem } from '../../model/checked.js';
import { readArgs } from './args.js';
import { argCount, checked, noBlock, printable, unknownStatement, type Ctx } from './context.js';
import { checkUrl } from './grammars.js';

export const OFFICIAL_LIBRARY_STATEMENTS = ['library', 'git-repo', 'maintainer', 'tags', 'tag', 'newest-tag'] as const;
const PLACEHOLDERS = ['release', 'version', 'releasever', 'image', 'date'];

/** bashbrew's tag grammar `^\w[\w.-]{0,127}$`, with `{placeholders}` allowed before they are filled in. */
const TAG_TEMPLATE = /^[A-Za-z0-9_{][A-Za-z0-9_.{}-]*$/;
/** bashbrew's Maintainers entry: `Name <email-or-url> (@handle)` or `Name (@handle)`. */
export const MAINTAINER = /^[^\s<>(),][^<>(),]*?(?: <[^<>\s,]+>)? \(@[^()\s,]+\)$/;
const LIBRARY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function tagTemplate(ctx: Ctx, v: Value): string | undefined {
  const s = checked(ctx, v, 'a tag such as {version}-{date}', TAG_TEMPLATE, 'E343', 'Docker tags use letters, digits, `_`, `.` and `-` (bashbrew: ^\\w[\\w.-]{0,127}$), plus {placeholders}');
  if (s === undefined) return undefined;
  for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(m[1]!)) {
      ctx.diags.push(error('E341', v.span, `unknown placeholder \`{${printable(m[1]!)}}\``, { expected: PLACEHOLDERS.map((p) => `{${p}}`).join(', ') }));
      return undefined;
    }
  }
  if (/[{}]/.test(s.replace(/\{[a-z]+\}/g, ''))) {
    ctx.diags.push(error('E341', v.span, 'unbalanced `{` or `}` in a tag', { expected: '{placeholder}' }));
    return undefined;
  }
  return s;
}

export function officialLibraryStatement(ctx: Ctx, st: Statement): BodyItem | undefined {
  if (!(OFFICIAL_LIBRARY_STATEMENTS as readonly string[]).includes(st.name)) {
    unknownStatement(ctx, st, 'official-library', OFFICIAL_LIBRARY_STATEMENTS);
    return undefined;
  }
  noBlock(ctx, st);
  const a = readArgs(st, {}, ctx.diags);
  let item: OfficialLibraryItem | undefined;
  switch (st.name) {
    case 'library': {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a library name such as almalinux')) return undefined;
      const s = checked(ctx, a.positionals[0]!, 'a library name (lower-case letters, digits, `.`, `_`, `-`)', LIBRARY_NAME, 'E343');
      if (s) item = { key: 'library', value: s };
      break;
    }
    case 'git-repo': {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a git repository URL')) return undefined;
      const s = checked(ctx, a.positionals[0]!, 'a git repository URL', checkUrl, 'E350');
      if (s) item = { key: 'git-repo', value: s };
      break;
    }
    case 'maintainer': {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a maintainer')) return undefined;
      const s = checked(ctx, a.positionals[0]!, 'a maintainer as `Name <email> (@github-handle)` or `Name (@github-handle)`', MAINTAINER, 'E343');
      if (s) item = { key: 'maintainer', value: s };
      break;
    }
    default: {
      const key = st.name as 'tags' | 'tag' | 'newest-tag';
      if (!argCount(ctx, st, a.positionals, key === 'tags' ? 0 : 1, Infinity, 'at least one tag')) return undefined;
      const ts = a.positionals.map((v) => tagTemplate(ctx, v));
      if (ts.every((x) => x !== undefined)) item = { key, value: ts as string[] };
    }
  }
  return item ? { kind: 'official-library', item, span: st.span } : undefined;
}

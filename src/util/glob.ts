// almac's one glob dialect, for image paths (`remove`, `delete-lines`, `replace`) and package
// names (`install`, `exclude`, `remove`, …):
//
//   *       any run of characters within one path segment (never `/`)
//   ?       exactly one character (never `/`)
//   [abc]   one of the listed characters; ranges `[a-z]`; `[!abc]` negates
//
// As in POSIX sh, a wildcard never matches a `.` that starts a segment: `*` skips dotfiles. A
// segment that itself starts with `.` and has a wildcard (`.*`, `.[!.]*`) matches dotfiles, but
// never the entries `.` and `..` — whatever the shell (bash before 5.2 expands `.*` to them).
// Everything else is literal. What would mean something else to some shell or tool — `\`
// escapes, `**`, `{a,b}` brace lists, extglobs like `@(…)`, `[[:alpha:]]` classes, `[^…]`, an
// unclosed `[` or a stray `]` — is rejected, never quoted into a different meaning.

export type GlobPart = { kind: 'literal'; text: string } | { kind: 'star' } | { kind: 'one' } | { kind: 'set'; negate: boolean; body: string };

/** Characters a `[...]` set may list (ranges with `-`). */
const SET_BODY = /^[A-Za-z0-9._+@%:,=-]+$/;

export type GlobParse = { parts: GlobPart[]; error?: undefined } | { parts?: undefined; error: string };

export function parseGlob(pattern: string): GlobParse {
  if (pattern.includes('\\')) return { error: '`\\` escapes are not part of almac\'s glob dialect (`*`, `?`, `[...]`); name the file without them' };
  if (pattern.includes('**')) return { error: '`**` is not a recursive glob here; `*` already matches any run of characters within a segment, and removing a directory removes everything below it' };
  if (/[{}]/.test(pattern)) return { error: 'brace lists (`{a,b}`) are not part of the glob dialect; list each path separately' };
  if (/[*?+@!]\(/.test(pattern)) return { error: 'extended globs such as `@(a|b)` or `!(x)` are not part of the glob dialect; list each path separately' };
  const parts: GlobPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ kind: 'literal', text: lit });
    lit = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' || c === '?') {
      flush();
      parts.push({ kind: c === '*' ? 'star' : 'one' });
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      const slash = pattern.indexOf('/', i + 1);
      if (close < 0 || (slash >= 0 && slash < close)) return { error: 'an unclosed `[`: a set is written `[abc]`, `[a-z]` or `[!abc]` within one segment' };
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      if (body.startsWith('^')) return { error: 'a negated set is written `[!abc]`, not `[^abc]`' };
      if (body.includes('[')) return { error: 'character classes such as `[[:alpha:]]` are not part of the glob dialect; list the characters, e.g. `[a-z]`' };
      if (!body) return { error: 'an empty set `[]` matches nothing; list the characters, e.g. `[abc]`' };
      if (!SET_BODY.test(body)) return { error: 'a set `[...]` may list letters, digits and . _ + @ % : , = - (ranges with `-`)' };
      flush();
      parts.push({ kind: 'set', negate, body });
      i = close;
    } else if (c === ']') {
      return { error: 'a `]` without its `[`: sets are written `[abc]`' };
    } else lit += c;
  }
  flush();
  return { parts };
}

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Whether some segment starts with `.` and has a wildcard, so a shell may expand it to `.` or `..`. */
export function matchesDotEntries(path: string): boolean {
  if (!path.startsWith('.') && !path.includes('/.')) return false; // no segment starts with `.`
  return path.split('/').some((seg) => seg.startsWith('.') && isGlob(seg));
}

/** The pattern as a regular expression over whole names (package names, or one path). */
export function globRegExp(pattern: string): RegExp | undefined {
  if (compiled.has(pattern)) return compiled.get(pattern);
  const re = compileGlob(pattern);
  compiled.set(pattern, re);
  return re;
}

/** Compiled patterns: the same globs are matched against many names (every package of every image). */
const compiled = new Map<string, RegExp | undefined>();

function compileGlob(pattern: string): RegExp | undefined {
  const g = parseGlob(pattern);
  if (!g.parts) return undefined;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let re = '';
  for (const p of g.parts) {
    if (p.kind === 'literal') re += esc(p.text);
    else if (p.kind === 'star') re += '[^/]*';
    else if (p.kind === 'one') re += '[^/]';
    else re += `[${p.negate ? '^' : ''}${p.body.replace(/[\]\\^]/g, '\\$&')}]`;
  }
  return new RegExp(`^${re}$`);
}

/** Whether a package glob (or plain name) matches a package name. */
export function globMatches(pattern: string, name: string): boolean {
  if (!isGlob(pattern)) return pattern === name;
  return globRegExp(pattern)?.test(name) ?? false;
}

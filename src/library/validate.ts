// bashbrew's rules for a library file (docker-library/bashbrew manifest/rfc2822.go, architecture/
// oci-platform.go, and the official-images README), checked on the text itself, so a file that
// passes here is one bashbrew accepts. Stricter than bashbrew in two places, because python3-debian
// (and other RFC 2822 readers) disagree with it there: no lines of only spaces, no indented `#` lines.
import { MAINTAINER } from '../phases/2-analyze/official-library.js';
import { BASHBREW_ARCHITECTURES } from './architectures.js';
import { parseRfc2822, type Paragraph, type ParseProblem } from './rfc2822.js';

export const TAG = /^\w[\w.-]{0,127}$/;
export const GIT_FETCH = /^refs\/(heads|tags)\/[^*?:]+$/;
export const GIT_COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const LIST_FIELDS = ['Maintainers', 'Tags', 'SharedTags', 'Architectures', 'Constraints'];
const ARCH_FIELDS = ['GitRepo', 'GitFetch', 'GitCommit', 'Directory', 'File', 'Builder'];

export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

export function validateLibraryFile(text: string): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (/^[ \t]+$/.test(l)) problems.push({ line: i + 1, message: 'a line of only spaces (bashbrew reads it as a continuation, other parsers as a paragraph break)' });
    else if (/^[ \t]+#/.test(l)) problems.push({ line: i + 1, message: 'an indented `#` line (bashbrew drops it, other parsers keep it)' });
  });
  const parsed = parseRfc2822(text);
  problems.push(...parsed.problems);
  const [global, ...entries] = parsed.paragraphs;
  if (!global) return [...problems, { line: 1, message: 'the file has no paragraphs' }];

  const fields = (p: Paragraph) => {
    const m = new Map<string, { value: string; line: number }>();
    for (const f of p.fields) {
      if (m.has(f.key)) problems.push({ line: f.line, message: `\`${f.key}\` appears twice in one paragraph` });
      m.set(f.key, { value: f.value, line: f.line });
    }
    return m;
  };
  const checkList = (key: string, f: { value: string; line: number }) => {
    const items = splitList(f.value);
    if (items.some((x) => x === '')) problems.push({ line: f.line, message: `\`${key}\` has an empty element (a trailing or doubled comma)` });
    return items.filter(Boolean);
  };

  const g = fields(global);
  if (g.has('Tags')) problems.push({ line: g.get('Tags')!.line, message: 'the first (global) paragraph may not have `Tags`' });
  const maint = g.get('Maintainers');
  if (!maint) problems.push({ line: global.line, message: 'the first paragraph needs `Maintainers`' });
  else for (const m of checkList('Maintainers', maint)) if (!MAINTAINER.test(m)) problems.push({ line: maint.line, message: `maintainer \`${m}\` is not \`Name <email> (@handle)\` or \`Name (@handle)\`` });

  const seenTags = new Map<string, number>();
  const sharedTags = new Map<string, number>();
  for (const p of entries) {
    const e = fields(p);
    const get = (k: string) => e.get(k) ?? g.get(k);
    const tags = e.get('Tags');
    if (!tags) {
      problems.push({ line: p.line, message: 'an entry needs `Tags`' });
      continue;
    }
    for (const t of checkList('Tags', tags)) {
      if (!TAG.test(t)) problems.push({ line: tags.line, message: `tag \`${t}\` does not match ${TAG.source}` });
      if (seenTags.has(t)) problems.push({ line: tags.line, message: `tag \`${t}\` is already used by the entry on line ${seenTags.get(t)}` });
      else seenTags.set(t, tags.line);
    }
    const shared = e.get('SharedTags');
    if (shared) for (const t of checkList('SharedTags', shared)) {
      if (!TAG.test(t)) problems.push({ line: shared.line, message: `shared tag \`${t}\` does not match ${TAG.source}` });
      sharedTags.set(t, shared.line);
    }
    const archField = get('Architectures');
    const arches = archField ? checkList('Architectures', archField) : ['amd64'];
    for (const a of arches) if (!(BASHBREW_ARCHITECTURES as readonly string[]).includes(a)) problems.push({ line: archField!.line, message: `\`${a}\` is not one of bashbrew's architectures (${BASHBREW_ARCHITECTURES.join(', ')})` });
    if (new Set(arches).size !== arches.length) problems.push({ line: archField!.line, message: 'an architecture is listed twice' });
    for (const k of ['GitRepo', 'GitFetch', 'GitCommit']) {
      for (const a of arches) if (!e.get(`${a}-${k}`) && !get(k)) problems.push({ line: p.line, message: `the entry has no \`${k}\`${arches.length > 1 ? ` for ${a}` : ''} (and the global paragraph gives none)` });
    }
    for (const [k, f] of e) {
      const m = /^(.+)-(GitRepo|GitFetch|GitCommit|Directory|File|Builder)$/.exec(k);
      const base = m ? m[2]! : k;
      if (m && !arches.includes(m[1]!)) problems.push({ line: f.line, message: `\`${k}\` is for an architecture the entry does not list in \`Architectures\`` });
      if (base === 'GitFetch' && !GIT_FETCH.test(f.value)) problems.push({ line: f.line, message: `\`${k}: ${f.value}\` does not match ${GIT_FETCH.source}` });
      if (base === 'GitCommit' && !GIT_COMMIT.test(f.value)) problems.push({ line: f.line, message: `\`${k}: ${f.value}\` is not a commit id of 40 or 64 hex digits` });
      if (!m && !LIST_FIELDS.includes(k) && !ARCH_FIELDS.includes(k) && !/^[A-Z][A-Za-z0-9-]*$/.test(k)) problems.push({ line: f.line, message: `\`${k}\` is not a field name` });
    }
    const gf = g.get('GitFetch');
    if (gf && !GIT_FETCH.test(gf.value)) problems.push({ line: gf.line, message: `\`GitFetch: ${gf.value}\` does not match ${GIT_FETCH.source}` });
  }
  for (const [t, line] of sharedTags) if (seenTags.has(t)) problems.push({ line, message: `shared tag \`${t}\` is also an entry's own tag (line ${seenTags.get(t)})` });
  return problems.sort((a, b) => a.line - b.line);
}

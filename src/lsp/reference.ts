// Hover text for keywords and operations, read from the language reference (grammar/README.md), so
// the editor says exactly what the reference says. Three shapes of the reference are read:
//  - table rows whose first cell starts with the statement: "| `touch PATH… [mode 0600]` | creates … |"
//  - sections headed "### `release`" or "**`config`**": their text is the entry for the heading's
//    names, then for every statement written in the section's first example block
//  - "## Conditions": the entry for when, else, and, or, not and in
//  - failing those, the first section that mentions the name in backticks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ReferenceEntry {
  /** Markdown shown on hover. */
  markdown: string;
  /** The heading of the reference section it comes from (for a link to the reference). */
  section: string;
}

const MAX_SECTION = 1800;

export function referencePath(): string {
  return fileURLToPath(new URL('../../grammar/README.md', import.meta.url));
}

let cached: Map<string, ReferenceEntry[]> | undefined;

/** keyword → its entries, most specific first, from the reference on disk (read once). */
export function languageReference(): Map<string, ReferenceEntry[]> {
  if (!cached) {
    let text = '';
    try {
      text = readFileSync(referencePath(), 'utf8');
    } catch {
      // A build without the reference still serves everything else.
    }
    cached = parseReference(text);
  }
  return cached;
}

const firstWord = (s: string) => /^[a-z][a-z0-9-]*/.exec(s.trim())?.[0];

export function parseReference(md: string): Map<string, ReferenceEntry[]> {
  // Three tiers, most specific first: table rows, sections about a name (by their heading), and
  // sections whose example or text shows the name.
  const tiers = [new Map<string, ReferenceEntry[]>(), new Map<string, ReferenceEntry[]>(), new Map<string, ReferenceEntry[]>(), new Map<string, ReferenceEntry[]>()];
  const add = (tier: number, key: string, e: ReferenceEntry) => {
    const list = tiers[tier]!.get(key) ?? [];
    if (!list.some((x) => x.markdown === e.markdown)) list.push(e);
    tiers[tier]!.set(key, list);
  };
  let heading = '';
  /** Sections under these "##" headings show the language in general, not a statement. */
  const illustrative = new Set(['A first look', 'Lexical structure']);
  let chapter = '';
  let current: { title: string; names: string[]; body: string[]; illustrative: boolean } | undefined;
  const flush = () => {
    if (!current) return;
    const body = current.body.join('\n').trim();
    const markdown = `**${current.title}**\n\n${body.length > MAX_SECTION ? body.slice(0, MAX_SECTION).replace(/\n[^\n]*$/, '') + '\n\n…' : body}`;
    const entry = { markdown, section: current.title };
    for (const n of current.names) add(1, n, entry);
    // Statements written in the section's first example: inside its outer block, or at its top.
    const code = (/```alma\n([^]*?)```/.exec(body)?.[1] ?? '').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    const opens = code[0]?.trimEnd().endsWith('{') ?? false;
    for (const l of current.illustrative ? [] : opens ? code.slice(1) : code) {
      const w = firstWord(l.replace(/#.*/, ''));
      if (w && (opens ? /^ {2}\S/.test(l) : /^\S/.test(l))) add(2, w, entry);
    }
    for (const m of body.matchAll(/`([a-z][a-z0-9-]*)(?: [^`]*)?`/g)) add(3, m[1]!, entry);
    current = undefined;
  };
  for (const line of md.split('\n')) {
    const h = /^(#{2,3}) (.*)$/.exec(line);
    const bold = /^\*\*`([a-z-]+)`\*\*/.exec(line);
    if (h || bold) {
      flush();
      if (h) heading = h[2]!.replace(/`/g, '');
      if (h && h[1] === '##') chapter = h[2]!;
      const title = h ? h[2]! : line.replace(/\*\*/g, '').trim();
      const named = h ? [...h[2]!.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]!) : [bold![1]!];
      if (h && h[2] === 'Conditions') named.push('when', 'else', 'and', 'or', 'not', 'in');
      current = { title, names: named, body: [], illustrative: illustrative.has(chapter) };
      continue;
    }
    current?.body.push(line);
    const row = /^\| `([^`]+)`(?:[^|]*)\| (.*?) \|/.exec(line);
    if (row) {
      const syntax = row[1]!.replace(/\\\|/g, '|');
      const key = firstWord(syntax);
      if (key && key !== 'release' && key !== 'platform') add(0, key, { markdown: `\`\`\`alma\n${syntax}\n\`\`\`\n${row[2]!.replace(/\\\|/g, '|')}`, section: heading });
    }
  }
  flush();
  const out = new Map<string, ReferenceEntry[]>();
  for (const tier of tiers.slice(0, 3)) for (const [k, v] of tier) out.set(k, [...(out.get(k) ?? []), ...v].filter((e, i, a) => a.findIndex((x) => x.markdown === e.markdown) === i));
  for (const [k, v] of tiers[3]!) if (!out.has(k)) out.set(k, v.slice(0, 1));
  return out;
}

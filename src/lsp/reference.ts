// Hover text for keywords and operations, read from the language reference (grammar/README.md), so
// the editor says exactly what the reference says. Three shapes of the reference are read:
//  - table rows whose first cell starts with the statement: "| `touch PATH… [mode 0600]` | creates … |"
//  - sections headed "### `release`" or "**`config`**": their text is the entry for the heading's
//    names and for every statement written inside the section's first example block
//  - "## Conditions": the entry for when, else, and, or, not and in.
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

let cached: Map<string, ReferenceEntry> | undefined;

/** keyword → entry, from the reference on disk (read once). */
export function languageReference(): Map<string, ReferenceEntry> {
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

export function parseReference(md: string): Map<string, ReferenceEntry> {
  const rows = new Map<string, ReferenceEntry>();
  const sections = new Map<string, ReferenceEntry>();
  const lines = md.split('\n');
  let heading = '';
  // A section: its heading line, the names it is about, and its lines.
  let current: { title: string; names: string[]; body: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const body = current.body.join('\n').trim();
    const markdown = `**${current.title}**\n\n${body.length > MAX_SECTION ? body.slice(0, MAX_SECTION).replace(/\n[^\n]*$/, '') + '\n\n…' : body}`;
    const names = new Set(current.names);
    // Statements written in the section's first example block.
    const code = /```alma\n([^]*?)```/.exec(body)?.[1] ?? '';
    for (const l of code.split('\n').slice(1)) {
      const w = firstWord(l.replace(/#.*/, ''));
      if (w && l.startsWith('  ') && !l.startsWith('    ')) names.add(w);
    }
    for (const n of names) if (!sections.has(n)) sections.set(n, { markdown, section: current.title });
    current = undefined;
  };
  for (const line of lines) {
    const h = /^(#{2,3}) (.*)$/.exec(line);
    const bold = /^\*\*`([a-z-]+)`\*\*/.exec(line);
    if (h || bold) {
      flush();
      if (h) heading = h[2]!.replace(/`/g, '');
      const title = h ? h[2]! : line.replace(/\*\*/g, '').trim();
      const named = h ? [...h[2]!.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]!) : [bold![1]!];
      if (h && h[2] === 'Conditions') named.push('when', 'else', 'and', 'or', 'not', 'in');
      if (named.length) current = { title, names: named, body: [] };
      continue;
    }
    if (current) current.body.push(line);
    const row = /^\| `([^`]+)`(?:[^|]*)\| (.*?) \|/.exec(line);
    if (row) {
      const syntax = row[1]!.replace(/\\\|/g, '|');
      const key = firstWord(syntax);
      const rest = row[2]!.replace(/\\\|/g, '|');
      if (key && key !== 'release' && key !== 'platform' && !rows.has(key)) {
        rows.set(key, { markdown: `\`\`\`alma\n${syntax}\n\`\`\`\n${rest}`, section: heading });
      }
    }
  }
  flush();
  const out = new Map(sections);
  for (const [k, v] of rows) out.set(k, v);
  return out;
}

// `almac diff --format markdown`, for a pull-request comment: a table of images × change counts,
// then one collapsed <details> block per changed image, then the unchanged images on one line.
import { CATEGORIES, type Category, type Change, type DiffReport } from './model.js';
import { plural, summaryCounts } from './report-text.js';

const HEADINGS: Record<Category, string> = {
  packages: 'Packages',
  operations: 'Operations',
  config: 'Config',
  assertions: 'Assertions',
  platforms: 'Platforms',
  naming: 'Naming',
  settings: 'Settings',
  versions: 'Versions',
};

const MARK: Record<Change['kind'], string> = { added: '➕', removed: '➖', changed: '✏️' };

/** Inline code that survives any content: a fence longer than any backtick run inside. */
export function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function changeItem(c: Change): string[] {
  if (c.kind === 'changed' && c.before !== undefined && c.after !== undefined) {
    return [`- ${MARK.changed} ${code(c.subject)}`, `  - before: ${code(c.before)}`, `  - after: ${code(c.after)}`];
  }
  const value = c.after ?? c.before;
  return [`- ${MARK[c.kind]} ${code(c.subject)}${value !== undefined ? `: ${code(value)}` : ''}`];
}

export function renderMarkdown(r: DiffReport): string {
  const out = [`### almac diff: ${code(r.base.label)} → ${code(r.head.label)}`, '', `${plural(r.images.length + r.unchanged.length, 'image')} compared: ${summaryCounts(r)}.`];
  if (r.images.length) {
    // Only the categories something changed in get a column.
    const used = CATEGORIES.filter((c) => r.images.some((i) => i.changes.some((x) => x.category === c)));
    out.push('', `| Image | Status | ${used.map((c) => HEADINGS[c]).join(' | ')} |`, `|:--|:--|${used.map(() => '--:|').join('')}`);
    for (const img of r.images) {
      const counts = used.map((c) => img.changes.filter((x) => x.category === c).length || '');
      out.push(`| ${cell(code(img.id))} | ${img.status} | ${counts.join(' | ')} |`);
    }
    for (const img of r.images) {
      out.push('', '<details>', `<summary><code>${html(img.id)}</code> (${img.status}): ${plural(img.changes.length, 'change')}</summary>`, '');
      for (const category of CATEGORIES) {
        const cs = img.changes.filter((c) => c.category === category);
        if (!cs.length) continue;
        out.push(`**${HEADINGS[category]}**`, '', ...cs.flatMap(changeItem), '');
      }
      out.push('</details>');
    }
  }
  if (r.unchanged.length) out.push('', `**Unchanged (${r.unchanged.length}):** ${r.unchanged.map(code).join(', ')}`);
  return out.join('\n') + '\n';
}

// `almac diff` for a terminal: one block per changed image, one line per change.
import { CATEGORIES, type Change, type DiffReport, type ImageDiff } from './model.js';

const MARK: Record<Change['kind'], string> = { added: '+', removed: '-', changed: '~' };

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "3 changed, 1 added, 20 unchanged" — only the counts that are not zero. */
export function summaryCounts(r: DiffReport): string {
  const count = (s: ImageDiff['status']) => r.images.filter((i) => i.status === s).length;
  const parts = [`${count('changed')} changed`, `${count('added')} added`, `${count('removed')} removed`, `${r.unchanged.length} unchanged`];
  return parts.filter((p) => !p.startsWith('0 ')).join(', ') || 'no images';
}

export function changeLines(c: Change): string[] {
  if (c.kind !== 'changed') return [`${MARK[c.kind]} ${c.subject}${c.after !== undefined ? `: ${c.after}` : c.before !== undefined ? `: ${c.before}` : ''}`];
  if (c.before === undefined || c.after === undefined) return [`~ ${c.subject}`];
  return [`~ ${c.subject}`, `    before: ${c.before}`, `    after:  ${c.after}`];
}

export function renderText(r: DiffReport): string {
  const out = [`almac diff: ${r.base.label} → ${r.head.label}`, `${plural(r.images.length + r.unchanged.length, 'image')} compared: ${summaryCounts(r)}.`];
  for (const img of r.images) {
    out.push('', `${img.id}${img.status === 'changed' ? '' : ` (${img.status === 'added' ? 'new image' : 'image removed'})`}  — ${plural(img.changes.length, 'change')}`);
    for (const category of CATEGORIES) {
      const cs = img.changes.filter((c) => c.category === category);
      if (!cs.length) continue;
      out.push(`  ${category}:`);
      for (const c of cs) for (const line of changeLines(c)) out.push(`    ${line}`);
    }
  }
  if (r.unchanged.length) out.push('', `Unchanged: ${r.unchanged.join(', ')}`);
  return out.join('\n') + '\n';
}

// `almac outdated` reports: plain text for people, Markdown (a package changelog per image, for a
// job summary or release notes), JSON for machines, and `list` (one selector per line, for scripts).
import type { Filter, PackageUpdate } from './compare.js';

export interface ImageReport {
  image: string;
  platform: string;
  /** Where the package set was read from. */
  source: string;
  needsRebuild: boolean;
  /** Why the image's published package set could not be read (never published, no SBOM…): it needs a rebuild. */
  unpublished?: string;
  updates: PackageUpdate[];
}

export function filterText(f: Filter): string {
  const sev = f.severity ? `${f.severity[0]!.toUpperCase()}${f.severity.slice(1)}${f.severity === 'critical' ? '' : ' or higher'}` : undefined;
  if (f.security && sev) return `security advisories of severity ${sev}`;
  if (f.security) return 'security advisories';
  if (sev) return `advisories of severity ${sev}`;
  return 'any update';
}

export function rebuildList(reports: ImageReport[]): string[] {
  return [...new Set(reports.filter((r) => r.needsRebuild).map((r) => r.image))];
}

const advisoryText = (u: PackageUpdate) => (u.advisories.length ? u.advisories.map((a) => `${a.id} (${a.type}${a.severity ? `, ${a.severity}` : ''})`).join(', ') : 'no advisory');

export function renderText(reports: ImageReport[], f: Filter): string {
  const lines: string[] = [];
  for (const r of reports) {
    const shown = r.updates.filter((u) => u.qualifies);
    const others = r.updates.length - shown.length;
    if (r.unpublished) {
      lines.push(`${r.image} (${r.platform}): rebuild — ${r.unpublished}`);
      continue;
    }
    const head = `${r.image} (${r.platform}): ${r.needsRebuild ? `rebuild — ${shown.length} qualifying update${shown.length === 1 ? '' : 's'}` : r.updates.length ? 'no qualifying update' : 'up to date'}`;
    lines.push(others ? `${head}${r.needsRebuild ? ';' : ','} ${others} other update${others === 1 ? '' : 's'} below the filter` : head);
    const w = Math.max(0, ...shown.map((u) => `${u.name}.${u.arch}`.length));
    for (const u of shown) lines.push(`  ${`${u.name}.${u.arch}`.padEnd(w)}  ${u.from} → ${u.to}  ${advisoryText(u)}`);
  }
  const n = rebuildList(reports).length;
  lines.push('', `${n} of ${new Set(reports.map((r) => r.image)).size} images need a rebuild (${filterText(f)}).`);
  return lines.join('\n') + '\n';
}

const md = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);

export function renderMarkdown(reports: ImageReport[], f: Filter): string {
  const rebuild = rebuildList(reports);
  const out = ['## Package updates', ''];
  out.push(rebuild.length
    ? `${rebuild.length} of ${new Set(reports.map((r) => r.image)).size} images need a rebuild (${filterText(f)}): ${rebuild.map((i) => `\`${i}\``).join(', ')}.`
    : `No image needs a rebuild (${filterText(f)}).`);
  for (const r of reports.filter((x) => x.needsRebuild)) {
    if (r.unpublished) {
      out.push('', `### ${r.image} (${r.platform})`, '', `Rebuilt because its published package set could not be read: ${md(r.unpublished)}.`);
      continue;
    }
    out.push('', `### ${r.image} (${r.platform})`, '', '| Package | Old | New | Advisories |', '|:--|:--|:--|:--|');
    for (const u of r.updates.filter((x) => x.qualifies)) {
      const adv = u.advisories.length ? u.advisories.map((a) => `${md(a.id)} (${a.type}${a.severity ? `, ${a.severity}` : ''})`).join('<br>') : '—';
      out.push(`| ${md(u.name)}.${md(u.arch)} | ${md(u.from)} | ${md(u.to)} | ${adv} |`);
    }
    const others = r.updates.filter((x) => !x.qualifies);
    if (others.length) out.push('', `Also updated, below the filter: ${others.map((u) => `${md(u.name)} ${md(u.from)} → ${md(u.to)}`).join(', ')}.`);
  }
  const quiet = reports.filter((x) => !x.needsRebuild);
  if (quiet.length) {
    out.push('', `No rebuild needed: ${quiet.map((r) => `\`${r.image}\`${r.updates.length ? ` (${r.updates.length} update${r.updates.length === 1 ? '' : 's'} below the filter)` : ''}`).join(', ')}.`);
  }
  return out.join('\n') + '\n';
}

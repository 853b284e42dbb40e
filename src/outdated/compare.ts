// Which packages of an image have newer versions in the repositories, and which advisories those
// versions fix. An update qualifies for a rebuild when no filter is set, or when one of its
// advisories passes the filter: `--security` (type security) and/or `--severity S` (S or higher,
// so `important` is Important and Critical).
import { compareEvr, formatEvr } from './evr.js';
import type { Advisory, RepoMetadata, RepoPackage } from './repo-metadata.js';

export const SEVERITIES = ['low', 'moderate', 'important', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Filter {
  security: boolean;
  severity?: Severity;
}

export interface PackageUpdate {
  name: string;
  arch: string;
  from: string;
  to: string;
  repository: string;
  advisories: { id: string; type: string; severity: string | null; title: string | null }[];
  qualifies: boolean;
}

const archOk = (a: string, b: string) => a === b || a === 'noarch' || b === 'noarch';

function severityRank(s: string | undefined): number {
  return s ? SEVERITIES.indexOf(s.toLowerCase() as Severity) : -1;
}

export function advisoryPasses(a: { type: string; severity?: string | null }, f: Filter): boolean {
  if (f.security && a.type !== 'security') return false;
  if (f.severity && severityRank(a.severity ?? undefined) < SEVERITIES.indexOf(f.severity)) return false;
  return true;
}

export function findUpdates(installed: RepoPackage[], repos: RepoMetadata[], filter: Filter): PackageUpdate[] {
  const byName = new Map<string, { pkg: RepoPackage; repo: string }[]>();
  for (const r of repos) for (const p of r.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), { pkg: p, repo: r.id }]);
  const advisoriesByName = new Map<string, Advisory[]>();
  for (const r of repos) for (const a of r.advisories) for (const p of a.packages) advisoriesByName.set(p.name, [...new Set([...(advisoriesByName.get(p.name) ?? []), a])]);
  const out: PackageUpdate[] = [];
  for (const p of [...installed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let best: { pkg: RepoPackage; repo: string } | undefined;
    for (const c of byName.get(p.name) ?? []) {
      if (!archOk(c.pkg.arch, p.arch)) continue;
      if (!best || compareEvr(c.pkg, best.pkg) > 0) best = c;
    }
    if (!best || compareEvr(best.pkg, p) <= 0) continue;
    const fixes = new Map<string, PackageUpdate['advisories'][number]>();
    for (const a of advisoriesByName.get(p.name) ?? []) {
      const hit = a.packages.some((q) => q.name === p.name && archOk(q.arch, p.arch) && compareEvr(q, p) > 0 && compareEvr(q, best!.pkg) <= 0);
      if (hit) fixes.set(a.id, { id: a.id, type: a.type, severity: a.severity ?? null, title: a.title ?? null });
    }
    const advisories = [...fixes.values()].sort((a, b) => severityRank(b.severity ?? undefined) - severityRank(a.severity ?? undefined) || (a.id < b.id ? -1 : 1));
    const filtered = filter.security || filter.severity !== undefined;
    out.push({
      name: p.name,
      arch: p.arch,
      from: formatEvr(p),
      to: formatEvr(best.pkg),
      repository: best.repo,
      advisories,
      qualifies: !filtered || advisories.some((a) => advisoryPasses(a, filter)),
    });
  }
  return out;
}

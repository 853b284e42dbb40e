// report: the failure text of a build, the summary table, --json.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Engine } from '../engine/index.js';
import type { Job, JobResult } from '../job.js';
import { formatDuration } from '../progress.js';
import type { RepoServer } from '../repo-server.js';
import type { BuildIo } from './options.js';

export function formatSize(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1000) return `${n} B`;
  const u = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

export function failureText(job: Job, color: boolean): string {
  const { plan: j, result: r } = job;
  const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[0m` : s);
  const lines = [red(`✗ ${j.spec.id} via ${j.route} (${j.platform.name}) failed${r.phase ? ` during ${r.phase}` : ''}: ${r.error ?? ''}`)];
  for (const a of r.assertions.filter((x) => !x.ok)) lines.push(`    assertion failed: ${a.name}${a.detail ? ` — ${a.detail}` : ''}  (${a.origin})`);
  if (!r.assertions.some((a) => !a.ok)) {
    try {
      const tail = readFileSync(j.logFile, 'utf8').trimEnd().split('\n').slice(-25);
      lines.push(`    last lines of the log:`, ...tail.map((l) => `    | ${l}`));
    } catch {
      // no log
    }
  }
  lines.push(`    full log: ${j.logFile}`);
  return lines.join('\n');
}

function statusText(j: JobResult): string {
  switch (j.status) {
    case 'built':
      return 'built';
    case 'skipped':
      return 'unchanged';
    case 'verified':
      return 're-verified';
    case 'failed':
      return `FAILED${j.phase ? ` (${j.phase})` : j.error?.includes('assertion') ? ' (assertions)' : ''}`;
    case 'cancelled':
      return 'cancelled';
    default:
      return 'not run';
  }
}

export interface RunSummary {
  jobs: Job[];
  engine: Engine;
  buildDir: string;
  root: string;
  notes: string[];
  elapsedMs: number;
  packageCache?: RepoServer['stats'];
}

export function printSummary(io: BuildIo, s: RunSummary): void {
  const { jobs, engine, buildDir, root } = s;
  const multiPlat = new Set(jobs.map((j) => j.plan.platform.name)).size > 1;
  const head = ['IMAGE', 'ROUTE', ...(multiPlat ? ['PLATFORM'] : []), 'STATUS', 'DURATION', 'SIZE', 'PACKAGES'];
  const rows = jobs.map(({ plan: p, result: j }) => [
    p.spec.id,
    p.route,
    ...(multiPlat ? [p.platform.name] : []),
    statusText(j),
    j.durationMs !== undefined ? formatDuration(j.durationMs) : '-',
    formatSize(j.size) || '-',
    j.packages === undefined ? '-' : j.packages === null ? 'no rpmdb' : String(j.packages),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([head.length - 3, head.length - 2, head.length - 1]);
  const fmt = (r: string[]): string => r.map((x, i) => (right.has(i) ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join('  ').trimEnd();
  const out: string[] = ['', fmt(head), ...rows.map(fmt)];
  const failedAssertions = jobs.flatMap(({ plan: j, result }) => result.assertions.filter((a) => !a.ok).map((a) => ({ j, a })));
  if (failedAssertions.length) {
    out.push('', 'Failed assertions:');
    for (const { j, a } of failedAssertions) out.push(`  ${j.spec.id} (${j.route}): ${a.name} — ${a.detail ?? 'failed'}  [${a.origin}]`);
  }
  const n = (st: JobResult['status']): number => jobs.filter((j) => j.result.status === st).length;
  const parts = [n('built') && `${n('built')} built`, n('verified') && `${n('verified')} re-verified`, n('skipped') && `${n('skipped')} unchanged`, n('failed') && `${n('failed')} failed`, n('cancelled') && `${n('cancelled')} cancelled`].filter(Boolean);
  out.push('', `${parts.join(', ')} in ${formatDuration(s.elapsedMs)}.`);
  if (s.packageCache) {
    const c = s.packageCache;
    out.push(`Package cache: ${c.upstreamFetches} file${c.upstreamFetches === 1 ? '' : 's'} fetched from mirrors (${c.upstreamRpmFetches} packages), ${c.cacheHits} served again from the cache.`);
  }
  const rel = (p: string): string => (p.startsWith(root + '/') ? relative(root, p) : p);
  out.push(`Logs and package manifests: ${rel(buildDir)}/<release>/<image>/<platform>/<route>/`);
  if (engine.store) out.push(`Images are in almac's ${engine.name} store; to use them: . ${rel(join(engine.store.stateDir, 'env.sh'))} && ${engine.name} images`);
  io.out.write(out.join('\n') + '\n');
}

export function jobJson({ plan: p, result: j }: Job, outRel?: string): Record<string, unknown> {
  return {
    image: p.spec.id,
    route: p.route,
    platform: p.platform.name,
    status: j.status === 'pending' ? 'not-run' : j.status,
    ...(j.executor ? { executor: j.executor } : {}),
    durationMs: j.durationMs ?? null,
    imageId: j.imageId ?? null,
    localTag: p.localTag,
    tags: j.status === 'failed' ? [] : p.namingTags,
    size: j.size ?? null,
    packages: j.packages ?? null,
    manifest: p.manifestFile,
    log: p.logFile,
    ...(outRel ? { outputDir: outRel } : {}),
    ...(j.error ? { error: j.error } : {}),
    ...(j.phase && j.status === 'failed' ? { failedDuring: j.phase } : {}),
    assertions: j.assertions,
  };
}

export function printJsonResult(io: BuildIo, s: RunSummary): void {
  const v = {
    ok: s.jobs.every((j) => j.result.status !== 'failed' && j.result.status !== 'cancelled'),
    engine: s.engine.name,
    store: s.engine.store?.stateDir ?? null,
    buildDir: s.buildDir,
    durationMs: s.elapsedMs,
    notes: s.notes,
    builds: s.jobs.map((j) => jobJson(j)),
    ...(s.packageCache ? { packageCache: s.packageCache } : {}),
  };
  io.out.write(JSON.stringify(v, null, 2) + '\n');
}

/** The exit code of a finished run. */
export function exitCodeOf(jobs: Job[]): number {
  if (jobs.some((j) => j.result.status === 'failed' && j.result.environmentError)) return 3;
  return jobs.some((j) => j.result.status === 'failed' || j.result.status === 'cancelled') ? 1 : 0;
}

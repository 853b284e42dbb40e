// `almac build`: the parsed options (declared in ../registry.ts) → src/runner/build.ts.
import type { Route } from '../../runner/job.js';

function list(v: unknown): string[] {
  const a = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return a.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

export async function runBuildVerb(a: Record<string, unknown> & { root: string; json: boolean }): Promise<number> {
  const via = list(a['via']);
  for (const v of via) {
    if (v !== 'containerfile' && v !== 'kickstart') {
      process.stderr.write(`error: --via must be containerfile or kickstart, not \`${v}\`\n`);
      return 2;
    }
  }
  const { runBuildCommand } = await import('../../runner/build.js');
  const jobs = a['jobs'] as number | undefined;
  return runBuildCommand({
    root: a.root,
    selectors: list(a['selectors']),
    ...(a['engine'] ? { engine: a['engine'] as 'podman' | 'buildah' | 'docker' } : {}),
    via: via as Route[],
    sysbase: (Array.isArray(a['sysbase']) ? a['sysbase'] : a['sysbase'] ? [a['sysbase']] : []).map(String),
    repo: (Array.isArray(a['repo']) ? a['repo'] : a['repo'] ? [a['repo']] : []).map(String),
    noGpgcheck: a['gpgcheck'] === false,
    ...(jobs !== undefined ? { jobs } : {}),
    keepGoing: Boolean(a['keepGoing']),
    dryRun: Boolean(a['dryRun']),
    platform: list(a['platform']),
    force: Boolean(a['force']),
    buildDir: String(a['buildDir'] ?? '.almac/build'),
    ...(a['store'] ? { store: String(a['store']) } : {}),
    json: a.json,
    locked: Boolean(a['locked']),
    progress: (a['progress'] as 'auto' | 'tty' | 'plain' | undefined) ?? 'auto',
    ksExecutor: (a['kickstartExecutor'] as 'auto' | 'livemedia-creator' | 'almac' | undefined) ?? 'auto',
  });
}

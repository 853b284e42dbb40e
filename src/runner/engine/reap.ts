// Leftovers: what a killed run can leave in a store, how to see it (the tests count it) and how the
// next run removes it. Nothing here goes by name patterns that could match a user's containers:
//   - almac's own store (<build-dir>/engine, the default) is almac's: the state file it writes there
//     (.almac-lock, holding the pid of the run that owns the store) says so, and a run that holds the
//     lock knows that every working container, image mount, runc state and temporary file in it is a
//     leftover of an earlier run;
//   - helper containers carry the label org.almac.pid=<pid of the run>; one whose run is gone is a
//     leftover in any store (also the engine's system store).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findOnPath } from './detect.js';
import { parseLines } from './parse.js';
import type { Engine } from './types.js';

/** Label on every container almac starts: the pid of the run (see reapLeftoversSync). */
export const RUN_LABEL = 'org.almac.pid';

export interface RuncContainer {
  id: string;
  pid: number;
  status: string;
  bundle: string;
}

/** `runc list --format json` output (it prints `null` when there are none). */
export function parseRuncList(json: string): RuncContainer[] {
  const t = json.trim();
  if (!t || t === 'null') return [];
  const v: unknown = JSON.parse(t);
  if (!Array.isArray(v)) return [];
  return v.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const o = e as Record<string, unknown>;
    if (typeof o['id'] !== 'string') return [];
    return [{
      id: o['id'],
      pid: typeof o['pid'] === 'number' ? o['pid'] : 0,
      status: typeof o['status'] === 'string' ? o['status'] : '',
      bundle: typeof o['bundle'] === 'string' ? o['bundle'] : '',
    }];
  });
}

/** The runc containers whose bundle lies under `dir`. */
export function runcContainersUnder(list: RuncContainer[], dir: string): RuncContainer[] {
  const prefix = resolve(dir) + '/';
  return list.filter((c) => c.bundle.startsWith(prefix));
}

/** Mount points (5th field of /proc/PID/mountinfo, octal escapes decoded) under any of `dirs`. */
export function mountsUnder(mountinfo: string, dirs: string[]): string[] {
  const prefixes = dirs.map((d) => resolve(d) + '/');
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const mp = f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (prefixes.some((p) => mp.startsWith(p) || mp + '/' === p)) out.push(mp);
  }
  return out;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Processes (other than this one and its ancestors' tools) rooted inside `graphRoot` or naming one of
 * `dirs` on their command line: RUN steps of killed builds, orphaned conmon and runc.
 */
export function processesUsingSync(dirs: string[], graphRoot: string | undefined): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  const g = graphRoot ? resolve(graphRoot) + '/' : undefined;
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid || pid === process.ppid) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      const cmd = argv.join(' ');
      let root = '';
      try {
        root = readlinkSync(`/proc/${p}/root`);
      } catch {
        // another user's process
      }
      const namesDir = dirs.some((d) => commandNamesPath(argv, d)) && !isBystander(argv);
      if ((g && root.startsWith(g)) || namesDir) out.push({ pid, cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Whether a command line names `dir` or a path inside it, as a whole path: `/x/engine` is named by
 * `--root=/x/engine/storage` or `/x/engine`, never by `/x/engine-library` (another store).
 */
export function commandNamesPath(argv: string[], dir: string): boolean {
  const d = dir.replace(/\/+$/, '');
  if (d === '') return false;
  const at = new RegExp(`(?:^|[\\s=:,'"])${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s/:,'"])`);
  return argv.some((a) => at.test(a));
}

/** Processes that name a store without running in it: node (almac, test runners) and `runc list`. */
function isBystander(argv: string[]): boolean {
  const exe = basename(argv[0] ?? '');
  return /^node(js)?$/.test(exe) || (exe === 'runc' && argv[1] === 'list') || argv.some((a) => /(^|\/)vitest(\.m?js)?$/.test(a));
}

/** Waits (synchronously: this runs in signal handlers) until no process uses the store, at most `ms`. */
export function waitForProcessesGone(dirs: string[], graphRoot: string | undefined, ms: number): void {
  const end = Date.now() + ms;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (processesUsingSync(dirs, graphRoot).length && Date.now() < end) Atomics.wait(sleeper, 0, 0, 50);
}

export interface Leaks {
  /** Engine-managed containers (podman ps -a). */
  containers: string[];
  /** Build working containers (buildah containers). */
  workingContainers: string[];
  /** Images mounted with `podman image mount`. */
  imageMounts: string[];
  /** Mount points under the store (overlay merged dirs etc.). */
  mounts: string[];
  /** Processes whose root is inside the store, or whose command line names the state dir. */
  processes: { pid: number; cmd: string }[];
  /** runc containers whose bundle is under the state dir. */
  runc: string[];
  /** Entries of the store's temporary directory (bundle dirs, build scratch). */
  tempFiles: string[];
}

export function isLeakFree(l: Leaks): boolean {
  return Object.values(l).every((v) => (v as unknown[]).length === 0);
}

export function countLeaks(l: Leaks): number {
  return Object.values(l).reduce((n, v) => n + (v as unknown[]).length, 0);
}

function run(engine: Engine, argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { env: engine.env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** Everything a run may have left in `engine`'s store (all of it, for almac's own store). */
export function findLeftoversSync(engine: Engine): Leaks {
  const leaks: Leaks = { containers: [], workingContainers: [], imageMounts: [], mounts: [], processes: [], runc: [], tempFiles: [] };
  if (engine.name === 'docker') {
    leaks.containers = parseLines(run(engine, [engine.bin, 'ps', '-aq', '--filter', `label=${RUN_LABEL}`]).stdout);
    return leaks;
  }
  if (engine.name === 'podman') {
    leaks.containers = parseLines(run(engine, [engine.bin, 'ps', '-aq']).stdout);
    leaks.imageMounts = parseLines(run(engine, [engine.bin, 'image', 'mount']).stdout);
  }
  leaks.workingContainers = engine.workingContainersSync();
  const env = engine.store;
  if (!env) return leaks;
  try {
    // the overlay driver keeps its own directory bind-mounted (private) for the store's lifetime
    const own = join(env.graphRoot, 'overlay');
    leaks.mounts = mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), [env.stateDir]).filter((m) => m !== own);
  } catch {
    // not Linux
  }
  leaks.processes = processesUsingSync([env.stateDir], env.graphRoot);
  if (findOnPath('runc', engine.env['PATH'])) {
    const r = run(engine, ['runc', 'list', '--format', 'json']);
    if (r.code === 0) leaks.runc = runcContainersUnder(parseRuncList(r.stdout), env.stateDir).map((c) => c.id);
  }
  try {
    leaks.tempFiles = readdirSync(env.tmpDir).map((n) => join(env.tmpDir, n));
  } catch {
    // no tmp dir yet
  }
  return leaks;
}

export interface ReapReport {
  removed: number;
  errors: string[];
}

/**
 * Removes what earlier, killed runs left. Own store (the caller holds its lock): every process using
 * it, working container, container, image mount, runc state and temporary file. Any store: helper
 * containers labelled with the pid of a run that is gone, and with `includeOwn` this run's as well
 * (the interrupt path). Synchronous; well under a second when there is nothing to do.
 */
export function reapLeftoversSync(engine: Engine, o: { includeOwn?: boolean } = {}): ReapReport {
  const report: ReapReport = { removed: 0, errors: [] };
  const note = (what: string, r: { code: number | null; stderr: string }): void => {
    if (r.code !== 0) report.errors.push(`${what}: ${r.stderr.trim()}`);
  };
  const env = engine.store;
  if (env) {
    const procs = processesUsingSync([env.stateDir], env.graphRoot);
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
        report.removed++;
      } catch {
        // gone
      }
    }
    if (procs.length) waitForProcessesGone([env.stateDir], env.graphRoot, 5000);
  }
  // labelled helper containers whose run is gone (or this run's, on the way out)
  const labelled = parseLines(run(engine, [engine.bin, 'ps', '-a', '--filter', `label=${RUN_LABEL}`, '--format', `{{.ID}} {{index .Labels "${RUN_LABEL}"}}`]).stdout)
    .map((l) => l.split(' '))
    .filter(([, pid]) => !pid || !pidAlive(Number(pid)) || (o.includeOwn && Number(pid) === process.pid))
    .map(([id]) => id!);
  if (labelled.length) {
    engine.removeContainersSync(labelled);
    report.removed += labelled.length;
  }
  if (!env) return report;
  const left = findLeftoversSync(engine);
  if (left.containers.length) {
    engine.removeContainersSync(left.containers);
    report.removed += left.containers.length;
  }
  if (left.workingContainers.length) {
    engine.removeWorkingContainersSync(left.workingContainers);
    report.removed += left.workingContainers.length;
  }
  if (left.imageMounts.length) {
    note('podman image unmount', run(engine, [engine.bin, 'image', 'unmount', '--all', '--force']));
    report.removed += left.imageMounts.length;
  }
  for (const id of left.runc) {
    const d = run(engine, ['runc', 'delete', '--force', id]);
    note(`runc delete ${id}`, d);
    if (d.code === 0) report.removed++;
  }
  for (const p of left.tempFiles) {
    try {
      rmSync(p, { recursive: true, force: true });
      report.removed++;
    } catch (e) {
      report.errors.push(`${p}: ${(e as Error).message}`);
    }
  }
  return report;
}

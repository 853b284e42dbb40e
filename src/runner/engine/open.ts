// Choosing and configuring the engine for a run. podman and buildah get a hermetic environment under
// the store directory (src/runner/engine/environment.ts: own graphroot, containers.conf, TMPDIR), with
// settings picked for the host: the OCI runtime that exists (runc preferred: crun refuses hosts with
// cgroup v1+v2 "hybrid" mounts), ulimits the host can grant (see hardLimits), and a storage driver the graphroot's
// filesystem supports. `--store system` uses the engine's own configuration and store instead.
// docker always uses its daemon's store.
import { existsSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildahEngine } from './buildah.js';
import type { EngineOptions } from './cli-engine.js';
import { detectEngine, findOnPath, installHint, type EngineName } from './detect.js';
import { DockerEngine } from './docker.js';
import { engineEnvVars, enginePaths, mergeEnv, prepareEngineEnvironment, type EngineEnvironment, type StorageDriver } from './environment.js';
import { EnvironmentError } from './errors.js';
import { PodmanEngine } from './podman.js';
import { canBeKillSafe } from './process.js';
import type { Engine } from './types.js';

export { EnvironmentError };

/** The Engine class for `name`. */
export function engineFor(name: EngineName, o: EngineOptions = {}): Engine {
  switch (name) {
    case 'podman':
      return new PodmanEngine(o);
    case 'buildah':
      return new BuildahEngine(o);
    case 'docker':
      return new DockerEngine(o);
  }
}

/**
 * Container ulimits: within this process's hard RLIMIT_NOFILE / RLIMIT_NPROC (podman asks for 1048576,
 * which a host without CAP_SYS_RESOURCE refuses), and capped at 65536 open files / 4096 processes —
 * conmon may run with a lower process limit than we do (32768 was seen where ours was 96365).
 */
export function hardLimits(limitsText?: string): { nofile: number; nproc: number } {
  const cap = 1048576;
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return { nofile: 1024, nproc: 1024 };
    }
  }
  const pick = (label: string, dflt: number): number => {
    const m = new RegExp(`^${label}\\s+\\S+\\s+(\\S+)`, 'm').exec(text!);
    if (!m) return dflt;
    return m[1] === 'unlimited' ? cap : Math.min(cap, Number(m[1]) || dflt);
  };
  return { nofile: Math.min(65536, pick('Max open files', 1024)), nproc: Math.min(4096, pick('Max processes', 1024)) };
}

const OVERLAYFS_MAGIC = 0x794c7630;

function storageDriver(graphRoot: string): StorageDriver {
  // keep what an existing store uses
  if (existsSync(join(graphRoot, 'vfs-images'))) return 'vfs';
  if (existsSync(join(graphRoot, 'overlay-images'))) return 'overlay';
  try {
    // overlay on overlayfs does not work (almac itself running in a container)
    if (statfsSync(join(graphRoot, '..')).type === OVERLAYFS_MAGIC) return 'vfs';
  } catch {
    // fall through
  }
  return 'overlay';
}

export interface OpenEngineOptions {
  name?: EngineName;
  /** Directory of the hermetic store, or 'system' for the engine's own configuration. */
  store: string;
  /** When false, nothing is written (--dry-run): the environment is computed only. */
  write: boolean;
}

export async function openEngine(o: OpenEngineOptions): Promise<Engine> {
  const found = detectEngine(o.name ? { prefer: o.name } : {}); // EngineNotFoundError with an install hint
  const killSafe = found.name !== 'docker' && canBeKillSafe();
  if (found.name === 'docker' || o.store === 'system') {
    return engineFor(found.name, { bin: found.path, env: mergeEnv(process.env), killSafe });
  }
  const runtime = findOnPath('runc') ? 'runc' : findOnPath('crun') ? 'crun' : undefined;
  if (!runtime) {
    throw new EnvironmentError(`${found.name} needs an OCI runtime, and neither runc nor crun is on PATH.\n${installHint().replace(/podman buildah runc/, 'runc')}`);
  }
  const paths = enginePaths(o.store);
  const vars = engineEnvVars(paths);
  const store: EngineEnvironment = o.write
    ? await prepareEngineEnvironment({ stateDir: paths.stateDir, runtime, ulimits: hardLimits(), driver: storageDriver(paths.graphRoot) })
    : { ...paths, env: vars };
  if (o.write) writeEnvScript(paths.stateDir, vars);
  return engineFor(found.name, { bin: found.path, env: mergeEnv(process.env, vars), store, killSafe });
}

/** `<store>/env.sh`: `. .almac/build/engine/env.sh && podman images` shows what almac built. */
function writeEnvScript(stateDir: string, vars: Record<string, string>): void {
  const text = '# Source this file to use the images almac built: . ' + join(stateDir, 'env.sh') + '\n' +
    Object.entries(vars).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n') + '\n';
  const p = join(stateDir, 'env.sh');
  try {
    if (readFileSync(p, 'utf8') === text) return;
  } catch {
    // not there yet
  }
  writeFileSync(p, text);
}

// Finding a container engine on PATH (podman, buildah, docker), with an install hint when none is there.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export type EngineName = 'podman' | 'buildah' | 'docker';

/** Preference order when the caller does not name an engine. */
export const ENGINE_NAMES: readonly EngineName[] = ['podman', 'buildah', 'docker'];

export interface DetectedEngine {
  name: EngineName;
  /** Absolute path of the executable. */
  path: string;
}

import { EngineNotFoundError } from './errors.js';

export { EngineNotFoundError };

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `which`: the first executable `cmd` on `pathEnv`, or undefined. Absolute `cmd`s are checked as is. */
export function findOnPath(cmd: string, pathEnv: string | undefined = process.env['PATH']): string | undefined {
  if (cmd.includes('/')) return isAbsolute(cmd) && isExecutableFile(cmd) ? cmd : undefined;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/** Every engine found on PATH, in preference order. */
export function detectEngines(pathEnv: string | undefined = process.env['PATH']): DetectedEngine[] {
  const found: DetectedEngine[] = [];
  for (const name of ENGINE_NAMES) {
    const path = findOnPath(name, pathEnv);
    if (path) found.push({ name, path });
  }
  return found;
}

/** The `ID`/`ID_LIKE` words of an os-release file's text. */
export function osIds(osReleaseText: string): string[] {
  const ids: string[] = [];
  for (const line of osReleaseText.split('\n')) {
    const m = /^(ID|ID_LIKE)=("?)([^"]*)\2\s*$/.exec(line.trim());
    if (m?.[3]) ids.push(...m[3].split(/\s+/).filter(Boolean));
  }
  return ids;
}

function readOsRelease(): string {
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      // try the next one
    }
  }
  return '';
}

/** How to install an engine on this kind of system (from os-release text). */
export function installHint(osReleaseText: string = readOsRelease()): string {
  const ids = osIds(osReleaseText);
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) {
    return 'Install one, e.g.: apt-get install -y --no-install-recommends podman buildah runc ' +
      '(in this repository: scripts/setup-engine.sh installs everything the offline build tests need)';
  }
  if (ids.some((i) => ['fedora', 'rhel', 'centos', 'almalinux', 'rocky'].includes(i))) {
    return 'Install one, e.g.: dnf install -y podman buildah';
  }
  if (ids.some((i) => i === 'arch')) return 'Install one, e.g.: pacman -S podman buildah';
  if (ids.some((i) => i === 'alpine')) return 'Install one, e.g.: apk add podman buildah';
  return 'Install podman (https://podman.io/docs/installation), buildah or docker and make sure it is on PATH.';
}

/**
 * The engine to use: `prefer` if given (error when it is missing), else the first of podman, buildah,
 * docker on PATH. Throws EngineNotFoundError with an install hint.
 */
export function detectEngine(opts: { prefer?: EngineName; pathEnv?: string; osRelease?: string } = {}): DetectedEngine {
  const pathEnv = opts.pathEnv ?? process.env['PATH'];
  if (opts.prefer) {
    const path = findOnPath(opts.prefer, pathEnv);
    if (path) return { name: opts.prefer, path };
    throw new EngineNotFoundError(`Container engine '${opts.prefer}' was not found on PATH.`, installHint(opts.osRelease));
  }
  const [first] = detectEngines(pathEnv);
  if (first) return first;
  throw new EngineNotFoundError(
    `No container engine found on PATH (looked for ${ENGINE_NAMES.join(', ')}).`,
    installHint(opts.osRelease),
  );
}

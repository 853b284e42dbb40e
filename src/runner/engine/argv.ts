// Engine command lines as data (pure: printed by --dry-run, tested without an engine). Every value
// that reaches an instruction is checked here: names against their grammar, one line only.
import type { BuildRequest, ContainerRunOptions, ImageChanges } from './types.js';

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9._/-]+$/;

function checkKey(kind: string, k: string, re: RegExp = ENV_KEY): void {
  if (!re.test(k)) throw new Error(`invalid ${kind} name: ${JSON.stringify(k)}`);
}

/** `podman build` / `buildah build` arguments (without the program name). */
export function buildArgv(opts: BuildRequest, flavor: 'podman' | 'buildah' | 'docker' = 'podman', iidFile?: string): string[] {
  const a: string[] = ['build'];
  const isolation = opts.isolation ?? 'oci';
  if (flavor !== 'docker') {
    a.push(`--pull=${opts.pull ?? 'never'}`);
    a.push(`--layers=${opts.layers ?? false}`);
    if (opts.isolation) a.push('--isolation', isolation);
  } else if ((opts.pull ?? 'never') === 'always') {
    a.push('--pull');
  }
  // chroot isolation only accepts the host network ("cannot set --network other than host")
  const network = opts.network ?? (isolation === 'chroot' ? undefined : 'none');
  if (network) a.push('--network', network);
  if (opts.platform) a.push('--platform', opts.platform);
  const args: Record<string, string> = { ...(opts.buildArgs ?? {}) };
  if (opts.platform && args['TARGETPLATFORM'] === undefined) args['TARGETPLATFORM'] = opts.platform;
  for (const [k, v] of Object.entries(args)) {
    checkKey('build arg', k);
    a.push('--build-arg', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(opts.labels ?? {})) {
    checkKey('label', k, LABEL_KEY);
    a.push('--label', `${k}=${v}`);
  }
  if (opts.target) a.push('--target', opts.target);
  if (opts.manifest) {
    if (flavor === 'docker') throw new Error('docker build cannot add to a manifest list (use buildx)');
    a.push('--manifest', opts.manifest);
  }
  if (iidFile) a.push('--iidfile', iidFile);
  a.push('-f', opts.containerfile, '-t', opts.tag, opts.contextDir);
  return a;
}

function instrJson(v: string[] | string): string {
  return Array.isArray(v) ? JSON.stringify(v) : v;
}

/** Quote a value for an ENV/LABEL instruction. */
function instrValue(v: string): string {
  return JSON.stringify(v);
}

/** `--change` values for podman/docker import (one instruction each). */
export function importChanges(c: ImageChanges = {}): string[] {
  const out: string[] = [];
  if (c.cmd !== undefined) out.push(`CMD ${instrJson(c.cmd)}`);
  if (c.entrypoint !== undefined) out.push(`ENTRYPOINT ${instrJson(c.entrypoint)}`);
  for (const [k, v] of Object.entries(c.env ?? {})) {
    checkKey('ENV', k);
    out.push(`ENV ${k}=${instrValue(v)}`);
  }
  for (const [k, v] of Object.entries(c.labels ?? {})) {
    checkKey('LABEL', k, LABEL_KEY);
    out.push(`LABEL ${k}=${instrValue(v)}`);
  }
  if (c.stopSignal !== undefined) {
    if (!/^(SIG[A-Z0-9+]+|\d+)$/.test(c.stopSignal)) throw new Error(`invalid stop signal: ${c.stopSignal}`);
    out.push(`STOPSIGNAL ${c.stopSignal}`);
  }
  if (c.workdir !== undefined) out.push(`WORKDIR ${c.workdir}`);
  if (c.user !== undefined) out.push(`USER ${c.user}`);
  for (const ch of out) if (/[\n\r]/.test(ch)) throw new Error(`image change must be one line: ${ch}`);
  return out;
}

export function importArgv(tarPath: string, tag: string, changes: ImageChanges = {}): string[] {
  const a = ['import'];
  for (const ch of importChanges(changes)) a.push('--change', ch);
  a.push(tarPath, tag);
  return a;
}

export interface RunArgvOptions extends Pick<ContainerRunOptions, 'name' | 'network' | 'volumes' | 'env'> {
  /** Default true. */
  rm?: boolean;
  entrypoint?: string;
  user?: string;
  workdir?: string;
  /** Keep stdin open (-i). */
  interactive?: boolean;
  labels?: Record<string, string>;
}

/** `podman run` / `docker run` arguments. */
export function runArgv(image: string, argv: string[] = [], o: RunArgvOptions = {}): string[] {
  const a = ['run'];
  if (o.name) a.push('--name', o.name);
  if (o.rm ?? true) a.push('--rm');
  for (const [k, v] of Object.entries(o.labels ?? {})) {
    checkKey('label', k, LABEL_KEY);
    a.push('--label', `${k}=${v}`);
  }
  a.push('--network', o.network ?? 'none');
  if (o.interactive) a.push('-i');
  if (o.entrypoint !== undefined) a.push('--entrypoint', o.entrypoint);
  for (const [k, v] of Object.entries(o.env ?? {})) {
    checkKey('env', k);
    a.push('--env', `${k}=${v}`);
  }
  if (o.user) a.push('--user', o.user);
  if (o.workdir) a.push('--workdir', o.workdir);
  for (const v of o.volumes ?? []) a.push('--volume', v);
  a.push(image, ...argv);
  return a;
}

/** `buildah config` arguments equivalent to import --change instructions. */
export function buildahConfigArgs(c: ImageChanges): string[] {
  importChanges(c); // same validation
  const a: string[] = [];
  if (c.cmd !== undefined) a.push('--cmd', Array.isArray(c.cmd) ? JSON.stringify(c.cmd) : c.cmd);
  if (c.entrypoint !== undefined) a.push('--entrypoint', Array.isArray(c.entrypoint) ? JSON.stringify(c.entrypoint) : c.entrypoint);
  for (const [k, v] of Object.entries(c.env ?? {})) a.push('--env', `${k}=${v}`);
  for (const [k, v] of Object.entries(c.labels ?? {})) a.push('--label', `${k}=${v}`);
  if (c.stopSignal !== undefined) a.push('--stop-signal', c.stopSignal);
  if (c.workdir !== undefined) a.push('--workingdir', c.workdir);
  if (c.user !== undefined) a.push('--user', c.user);
  return a;
}

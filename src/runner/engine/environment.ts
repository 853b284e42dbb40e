// A hermetic engine environment per run: its own container store, containers.conf and TMPDIR under a
// state directory, so builds neither read nor pollute /var/lib/containers, and a run can be wiped with
// `podman system reset` (which, with CONTAINERS_STORAGE_CONF set, removes only this store).
//
// Why these containers.conf settings (measured on Debian 12 hosts without CAP_SYS_RESOURCE and with
// cgroup v1+v2 "hybrid" mounts; harmless elsewhere):
//   - runtime "runc": crun 1.8 refuses hybrid cgroup hosts ("cgroups in hybrid mode not supported").
//   - default_ulimits nofile AND nproc: podman asks for 1048576, which cannot be raised past the hard
//     limit without CAP_SYS_RESOURCE ("error setting rlimit type 7"/"type 6"); both must be given.
//   - netns "none": `podman run` needs no netavark/iptables. `podman build` ignores it: builds must
//     pass `--network none` themselves (see podman.ts).
//   - tmp_dir: keeps /run/libpod out of it.
// CONTAINERS_CONF must be absolute (the build's copier subprocess resolves it from another cwd).
// TMPDIR moves buildah's bundle dirs from /var/tmp into the state dir, where cleanup can find them.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export type StorageDriver = 'overlay' | 'vfs';

export interface EngineEnvironmentOptions {
  /** Directory that will hold conf/, storage/, run/ and tmp/. Made absolute. */
  stateDir: string;
  /** Default overlay (kernel overlayfs; needs a graphroot that is not itself on overlayfs/tmpfs). */
  driver?: StorageDriver;
  /** Default runc. */
  runtime?: string;
  /** Default { nofile: 1024, nproc: 1024 }. */
  ulimits?: { nofile: number; nproc: number };
  /** Default 'none'. */
  netns?: string;
  /** Extra fuse-overlayfs mount program for the overlay driver (only when the kernel overlay cannot be used). */
  overlayMountProgram?: string;
}

export interface EnginePaths {
  stateDir: string;
  confDir: string;
  containersConf: string;
  storageConf: string;
  graphRoot: string;
  runRoot: string;
  tmpDir: string;
  libpodTmpDir: string;
}

/** A prepared store: its paths and the variables to set for every engine command (absolute paths). */
export interface EngineEnvironment extends EnginePaths {
  env: Record<string, string>;
}

export function enginePaths(stateDir: string): EnginePaths {
  const s = resolve(stateDir);
  return {
    stateDir: s,
    confDir: join(s, 'conf'),
    containersConf: join(s, 'conf', 'containers.conf'),
    storageConf: join(s, 'conf', 'storage.conf'),
    graphRoot: join(s, 'storage'),
    runRoot: join(s, 'run'),
    tmpDir: join(s, 'tmp'),
    libpodTmpDir: join(s, 'run', 'libpod'),
  };
}

/** TOML basic string. */
export function tomlString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

export function renderContainersConf(opts: { runtime?: string; ulimits?: { nofile: number; nproc: number }; netns?: string; tmpDir: string }): string {
  const u = opts.ulimits ?? { nofile: 1024, nproc: 1024 };
  for (const [k, v] of Object.entries(u)) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`invalid ulimit ${k}=${String(v)}`);
  }
  if (!isAbsolute(opts.tmpDir)) throw new Error(`tmp_dir must be absolute: ${opts.tmpDir}`);
  return [
    '# Written by almac for one run; see src/runner/engine/environment.ts',
    '[containers]',
    'default_ulimits = [',
    `  ${tomlString(`nofile=${u.nofile}:${u.nofile}`)},`,
    `  ${tomlString(`nproc=${u.nproc}:${u.nproc}`)},`,
    ']',
    `netns = ${tomlString(opts.netns ?? 'none')}`,
    '',
    '[engine]',
    `runtime = ${tomlString(opts.runtime ?? 'runc')}`,
    `tmp_dir = ${tomlString(opts.tmpDir)}`,
    '',
  ].join('\n');
}

export function renderStorageConf(opts: { driver?: StorageDriver; graphRoot: string; runRoot: string; overlayMountProgram?: string }): string {
  for (const p of [opts.graphRoot, opts.runRoot]) {
    if (!isAbsolute(p)) throw new Error(`storage paths must be absolute: ${p}`);
  }
  const lines = [
    '# Written by almac for one run; see src/runner/engine/environment.ts',
    '[storage]',
    `driver = ${tomlString(opts.driver ?? 'overlay')}`,
    `graphroot = ${tomlString(opts.graphRoot)}`,
    `runroot = ${tomlString(opts.runRoot)}`,
    '',
  ];
  if (opts.overlayMountProgram && (opts.driver ?? 'overlay') === 'overlay') {
    lines.push('[storage.options.overlay]', `mount_program = ${tomlString(opts.overlayMountProgram)}`, '');
  }
  return lines.join('\n');
}

/** The environment variables for an engine whose state lives under `paths`. */
export function engineEnvVars(paths: EnginePaths): Record<string, string> {
  return {
    CONTAINERS_CONF: paths.containersConf,
    CONTAINERS_STORAGE_CONF: paths.storageConf,
    TMPDIR: paths.tmpDir,
  };
}

/**
 * Replaces `path` with `text` atomically, and only when it differs: engines of a concurrent run (or of
 * the user, through env.sh) read these files at any moment, and must never see one half written.
 */
async function writeIfChanged(path: string, text: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')) === text) return;
  } catch {
    // not there yet
  }
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Writes conf/containers.conf and conf/storage.conf under the state dir and creates its directories. */
export async function prepareEngineEnvironment(opts: EngineEnvironmentOptions): Promise<EngineEnvironment> {
  const p = enginePaths(opts.stateDir);
  for (const d of [p.confDir, p.graphRoot, p.runRoot, p.tmpDir]) await mkdir(d, { recursive: true });
  await writeIfChanged(
    p.containersConf,
    renderContainersConf({
      tmpDir: p.libpodTmpDir,
      ...(opts.runtime !== undefined ? { runtime: opts.runtime } : {}),
      ...(opts.ulimits !== undefined ? { ulimits: opts.ulimits } : {}),
      ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
    }),
  );
  await writeIfChanged(
    p.storageConf,
    renderStorageConf({
      graphRoot: p.graphRoot,
      runRoot: p.runRoot,
      ...(opts.driver !== undefined ? { driver: opts.driver } : {}),
      ...(opts.overlayMountProgram !== undefined ? { overlayMountProgram: opts.overlayMountProgram } : {}),
    }),
  );
  return { ...p, env: engineEnvVars(p) };
}

/**
 * `base` plus `extra`, for child processes. Empty CONTAINERS_CONF / CONTAINERS_STORAGE_CONF values are
 * dropped: podman treats an empty CONTAINERS_STORAGE_CONF as a path ("stat : no such file").
 */
export function mergeEnv(base: NodeJS.ProcessEnv, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) {
    if (v === undefined) continue;
    if ((k === 'CONTAINERS_CONF' || k === 'CONTAINERS_STORAGE_CONF') && v === '') continue;
    out[k] = v;
  }
  return out;
}

// --- host rpm/dnf -----------------------------------------------------------------------------------

/**
 * ~/.rpmmacros text for host `dnf --installroot` / `rpm --root`. Debian's rpm defines
 * `%_dbpath %(bash -c 'echo ~/.rpmdb')`, so without this an installroot's rpmdb lands in
 * <root>/root/.rpmdb instead of EL's /var/lib/rpm. Macro names and values are checked, not escaped.
 */
export function renderRpmMacros(macros: Record<string, string> = {}): string {
  const all: Record<string, string> = { _dbpath: '/var/lib/rpm', ...macros };
  return Object.entries(all)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid rpm macro name: ${k}`);
      if (/[\n\r]/.test(v)) throw new Error(`rpm macro ${k} must be one line`);
      return `%${k} ${v}\n`;
    })
    .join('');
}

/**
 * Creates `dir/.rpmmacros` and returns the variables to run host dnf/rpm with (HOME=dir). Use as
 * `env HOME=<dir> dnf --installroot R ...` and `env HOME=<dir> rpm --root R -qa`.
 */
export async function prepareRpmHome(dir: string, macros: Record<string, string> = {}): Promise<{ home: string; env: Record<string, string> }> {
  const home = resolve(dir);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, '.rpmmacros'), renderRpmMacros(macros));
  return { home, env: { HOME: home } };
}

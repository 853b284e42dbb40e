// buildah flavour of the Engine interface: same builds as podman (`buildah build` takes the same flags);
// run/import go through working containers (`buildah from` / `run` / `add` / `config` / `commit`).
import {
  PodmanEngine,
  queryRpmdb,
  type EngineConstructorOptions,
  type InstalledPackage,
  importChanges,
  type ImageChanges,
  type ImageInfo,
  type RunOptions,
  type RunResult,
} from './podman.js';

/** "4.4 MB" / "251 kB" / "1.2 GB" (decimal units, as buildah prints them) -> bytes. */
export function parseHumanSize(s: string): number {
  const m = /^\s*([\d.]+)\s*([kMGT]?B)\s*$/i.exec(s);
  if (!m) return 0;
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
  return Math.round(Number(m[1]) * (mult[m[2]!.toLowerCase()] ?? 1));
}

/** `buildah inspect --type image` JSON (its Docker/OCIv1 sections). Size is not in it (see inspect()). */
export function parseBuildahInspect(json: string): ImageInfo {
  const o = JSON.parse(json) as Record<string, unknown>;
  const oci = (o['OCIv1'] ?? {}) as Record<string, unknown>;
  const docker = (o['Docker'] ?? {}) as Record<string, unknown>;
  const cfg = ((docker['config'] ?? oci['config']) ?? {}) as Record<string, unknown>;
  const rootfs = (oci['rootfs'] ?? {}) as Record<string, unknown>;
  const env: Record<string, string> = {};
  for (const e of Array.isArray(cfg['Env']) ? cfg['Env'] : []) {
    if (typeof e === 'string' && e.indexOf('=') > 0) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((cfg['Labels'] ?? {}) as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
  const arr = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
  const info: ImageInfo = {
    id: String(o['FromImageID'] ?? ''),
    size: 0,
    env,
    labels,
    layers: Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'].length : 0,
    repoTags: typeof o['FromImage'] === 'string' ? [o['FromImage']] : [],
  };
  const cmd = arr(cfg['Cmd']);
  if (cmd) info.cmd = cmd;
  const ep = arr(cfg['Entrypoint']);
  if (ep) info.entrypoint = ep;
  if (typeof cfg['StopSignal'] === 'string' && cfg['StopSignal']) info.stopSignal = cfg['StopSignal'];
  if (typeof cfg['WorkingDir'] === 'string' && cfg['WorkingDir']) info.workingDir = cfg['WorkingDir'];
  if (typeof cfg['User'] === 'string' && cfg['User']) info.user = cfg['User'];
  if (typeof oci['architecture'] === 'string') info.architecture = oci['architecture'];
  if (typeof oci['os'] === 'string') info.os = oci['os'];
  if (typeof oci['created'] === 'string') info.created = oci['created'];
  return info;
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

export class BuildahEngine extends PodmanEngine {
  constructor(o: EngineConstructorOptions = {}) {
    super(o, 'buildah');
  }

  private async withContainer<T>(from: string, fn: (ctr: string) => Promise<T>): Promise<T> {
    const ctr = (await this.checked(['from', '--pull=never', '-q', from])).stdout.trim();
    try {
      return await fn(ctr);
    } finally {
      await this.exec(['rm', ctr]);
    }
  }

  override async run(image: string, argv: string[] = [], o: RunOptions = {}): Promise<RunResult> {
    let cmd = argv;
    if (cmd.length === 0) {
      const info = await this.inspect(image);
      cmd = [...(info.entrypoint ?? []), ...(info.cmd ?? [])];
    }
    return this.withContainer(image, async (ctr) => {
      const a = ['run', '--network', o.network ?? 'none'];
      for (const [k, v] of Object.entries(o.env ?? {})) a.push('--env', `${k}=${v}`);
      if (o.user) a.push('--user', o.user);
      if (o.workdir) a.push('--workingdir', o.workdir);
      for (const v of o.volumes ?? []) a.push('--volume', v);
      const r = await this.exec([...a, ctr, '--', ...cmd], {
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.input !== undefined ? { input: o.input } : {}),
        ...(o.logFile !== undefined ? { logFile: o.logFile } : {}),
      });
      return { code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
    });
  }

  override async importTar(tarPath: string, tag: string, changes: ImageChanges = {}): Promise<string> {
    return this.withContainer('scratch', async (ctr) => {
      await this.checked(['add', ctr, tarPath, '/']); // local archives are extracted
      const cfg = buildahConfigArgs(changes);
      if (cfg.length) await this.checked(['config', ...cfg, ctr]);
      return (await this.checked(['commit', '-q', ctr, tag])).stdout.trim().replace(/^sha256:/, '');
    });
  }

  override async inspect(ref: string): Promise<ImageInfo> {
    const info = parseBuildahInspect((await this.checked(['inspect', '--type', 'image', ref])).stdout);
    const imgs = await this.exec(['images', '--json', ref]);
    if (imgs.code === 0) {
      const list = JSON.parse(imgs.stdout) as { size?: string; names?: string[] }[];
      if (list[0]?.size) info.size = parseHumanSize(list[0].size);
      if (list[0]?.names) info.repoTags = list[0].names;
    }
    return info;
  }

  override async imageExists(ref: string): Promise<boolean> {
    const r = await this.exec(['inspect', '--type', 'image', ref]);
    if (r.code === 0) return true;
    if (/image not known|not found|unknown/i.test(r.stderr)) return false;
    throw new Error(`buildah inspect ${ref}: exit ${r.code}: ${r.stderr.trim()}`);
  }

  override async removeImage(ref: string, o: { force?: boolean; ignoreMissing?: boolean } = {}): Promise<void> {
    if (o.ignoreMissing && !(await this.imageExists(ref))) return;
    await this.checked(['rmi', ...(o.force ? ['-f'] : []), ref]);
  }

  override async installedPackages(ref: string): Promise<InstalledPackage[]> {
    return this.withContainer(ref, async (ctr) => {
      const mnt = (await this.checked(['mount', ctr])).stdout.trim();
      try {
        return await queryRpmdb(mnt, this.env);
      } finally {
        await this.exec(['umount', ctr]);
      }
    });
  }

  override async resetStore(): Promise<void> {
    if (!this.environment) throw new Error('resetStore() needs a per-run environment');
    await this.checked(['rm', '--all']);
    await this.checked(['rmi', '--all', '--force']);
  }
}

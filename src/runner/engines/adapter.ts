// What `almac build` needs from an engine beyond src/runner/engine/ (the engine layer): commands as
// argv (so --dry-run can print exactly what would run), one-call image listing (the fast no-op path),
// tagging, pulling, mounting an image's root for verification, importing a root, and running a
// command in an image with abort support. Argv builders of the engine layer are reused
// (buildArgv, runArgv, importArgv, buildahConfigArgs); processes go through its execCommand, so
// every child is tracked and killed on SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildArgv,
  buildahConfigArgs,
  execCommand,
  formatArgv,
  importArgv,
  onInterrupt,
  parseBuildahInspect,
  parseImageInspect,
  runArgv,
  type BuildOptions,
  type EngineEnvironment,
  type EngineName,
  type ExecOptions,
  type ExecResult,
  type ImageChanges,
  type ImageInfo,
} from '../engine/index.js';

export interface ImageRecord {
  /** Full image id (64 hex digits, no `sha256:`). */
  id: string;
  /** Fully qualified names as the engine reports them (`localhost/almalinux/9-minimal:9`). */
  names: string[];
  size: number;
}

export class EngineCommandError extends Error {
  readonly result: ExecResult;
  constructor(message: string, result: ExecResult) {
    super(message);
    this.name = 'EngineCommandError';
    this.result = result;
  }
}

/** A mounted (or exported) image root; release() undoes it. */
export interface ImageRoot {
  path: string;
  release(): Promise<void>;
  /** Synchronous release, for the interrupt path. */
  releaseSync(): void;
}

export interface RunContainerOptions {
  /** Container name; default a unique almac-run-… name. */
  name?: string;
  /** Default 'none'. */
  network?: string;
  volumes?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  logFile?: string;
  onOutput?: ExecOptions['onOutput'];
}

function tail(s: string, n = 15): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

/** `name[:tag]` → the names an engine may list it under (short names are qualified as podman does). */
export function candidateNames(ref: string): string[] {
  const withTag = /:[^/]+$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`;
  const first = withTag.split('/')[0]!;
  const qualified = withTag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (qualified) return [withTag];
  return [withTag, `localhost/${withTag}`, `docker.io/${withTag}`, ...(withTag.includes('/') ? [] : [`docker.io/library/${withTag}`])];
}

/** Finds `ref` (a name or an id / id prefix of ≥ 12 hex digits) in a listing. */
export function findImage(images: ImageRecord[], ref: string): ImageRecord | undefined {
  const r = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{12,64}$/.test(r)) {
    const byId = images.find((i) => i.id.startsWith(r));
    if (byId) return byId;
  }
  for (const n of candidateNames(ref)) {
    const hit = images.find((i) => i.names.includes(n));
    if (hit) return hit;
  }
  return undefined;
}

export class EngineAdapter {
  readonly name: EngineName;
  readonly bin: string;
  /** The complete environment of engine commands (with the hermetic store's variables). */
  readonly env: Record<string, string>;
  /** Only the variables almac adds (for --dry-run output and the env.sh file). */
  readonly envVars: Record<string, string>;
  readonly store: EngineEnvironment | undefined;
  readonly killSafe: boolean;

  constructor(o: { name: EngineName; bin: string; env: Record<string, string>; envVars: Record<string, string>; store?: EngineEnvironment; killSafe: boolean }) {
    this.name = o.name;
    this.bin = o.bin;
    this.env = o.env;
    this.envVars = o.envVars;
    this.store = o.store;
    this.killSafe = o.killSafe;
  }

  /** Runs an engine command (argv without the program). */
  exec(args: string[], o: ExecOptions = {}): Promise<ExecResult> {
    return execCommand([this.bin, ...args], { env: this.env, ...o });
  }

  async checked(args: string[], o: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.exec(args, o);
    if (r.code !== 0) {
      const why = r.aborted ? 'interrupted' : r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
      throw new EngineCommandError(`${formatArgv([this.name, ...args])} failed (${why})${r.stderr.trim() ? `:\n${tail(r.stderr)}` : ''}`, r);
    }
    return r;
  }

  // --- argv builders (printed by --dry-run) --------------------------------------------------------

  buildArgs(opts: BuildOptions, iidFile: string): string[] {
    return buildArgv(opts, this.name, iidFile);
  }

  pullArgs(ref: string): string[] {
    return ['pull', ...(this.name === 'docker' ? [] : ['-q']), ref];
  }

  /** Every argv needed to tag `id` with `refs`. */
  tagArgs(id: string, refs: string[]): string[][] {
    if (!refs.length) return [];
    return this.name === 'docker' ? refs.map((r) => ['tag', id, r]) : [['tag', id, ...refs]];
  }

  rmiArgs(ids: string[]): string[] {
    return ['rmi', ...ids];
  }

  /** Import commands for a root tarball; buildah needs a working container (several commands). */
  importCommands(tarPath: string, ref: string, changes: ImageChanges, ctrName: string): string[][] {
    if (this.name === 'buildah') {
      const cfg = buildahConfigArgs(changes);
      return [
        ['from', '--pull=never', '--name', ctrName, 'scratch'],
        ['add', ctrName, tarPath, '/'],
        ...(cfg.length ? [['config', ...cfg, ctrName]] : []),
        ['commit', '-q', '--rm', ctrName, ref],
      ];
    }
    const a = importArgv(tarPath, ref, changes);
    if (this.name === 'podman') a.splice(1, 0, '-q');
    return [a];
  }

  // --- queries --------------------------------------------------------------------------------------

  /**
   * All images of the store, in one engine call. Retried when an image vanished while being listed
   * (podman 4 fails the whole listing with "image not known" when another build removes one meanwhile).
   */
  async listImages(): Promise<ImageRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listImagesOnce();
      } catch (e) {
        const raced = e instanceof EngineCommandError && /image not known|locating image|no such image/i.test(e.result.stderr);
        if (!raced || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async listImagesOnce(): Promise<ImageRecord[]> {
    if (this.name === 'docker') {
      // -a: untagged images too (a superseded build must be found to be removed)
      const r = await this.checked(['images', '-a', '--no-trunc', '--format', '{{json .}}']);
      const byId = new Map<string, ImageRecord>();
      for (const line of r.stdout.split('\n')) {
        if (!line.trim()) continue;
        const o = JSON.parse(line) as Record<string, string>;
        const id = String(o['ID'] ?? '').replace(/^sha256:/, '');
        const rec = byId.get(id) ?? { id, names: [], size: 0 };
        if (o['Repository'] && o['Repository'] !== '<none>' && o['Tag'] && o['Tag'] !== '<none>') rec.names.push(`${o['Repository']}:${o['Tag']}`);
        byId.set(id, rec);
      }
      return [...byId.values()];
    }
    if (this.name === 'buildah') {
      const r = await this.checked(['images', '--json', '--no-trunc']);
      const list = JSON.parse(r.stdout || '[]') as { id?: string; names?: string[] | null }[];
      return (list ?? []).map((i) => ({ id: String(i.id ?? '').replace(/^sha256:/, ''), names: i.names ?? [], size: 0 }));
    }
    const r = await this.checked(['images', '--format', 'json']);
    const list = JSON.parse(r.stdout || '[]') as { Id?: string; Names?: string[] | null; Size?: number }[];
    return (list ?? []).map((i) => ({ id: String(i.Id ?? '').replace(/^sha256:/, ''), names: i.Names ?? [], size: i.Size ?? 0 }));
  }

  async inspect(ref: string): Promise<ImageInfo> {
    if (this.name === 'buildah') {
      const info = parseBuildahInspect((await this.checked(['inspect', '--type', 'image', ref])).stdout);
      const imgs = await this.exec(['images', '--json', '--no-trunc', ref]);
      if (imgs.code === 0) {
        const l = JSON.parse(imgs.stdout) as { size?: string; names?: string[] | null }[];
        if (l[0]?.size) info.size = parseSize(l[0].size);
        if (l[0]?.names) info.repoTags = l[0].names;
      }
      return info;
    }
    return parseImageInspect((await this.checked(['image', 'inspect', ref])).stdout);
  }

  // --- image roots ----------------------------------------------------------------------------------

  /** Mounts the image's root read-only (podman), through a working container (buildah) or exports it (docker). */
  async mountRoot(id: string, scratchDir: string): Promise<ImageRoot> {
    if (this.name === 'podman') {
      const path = (await this.checked(['image', 'mount', id])).stdout.trim();
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await this.exec(['image', 'unmount', id]);
        },
        releaseSync: () => {
          if (released) return;
          released = true;
          spawnSync(this.bin, ['image', 'unmount', id], { env: this.env, stdio: 'ignore', timeout: 30_000 });
        },
      };
    }
    const ctr = `almac-verify-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    if (this.name === 'buildah') {
      await this.checked(['from', '--pull=never', '--name', ctr, id]);
      let released = false;
      const undo = { release: async () => {
        if (released) return;
        released = true;
        await this.exec(['rm', ctr]);
      }, releaseSync: () => {
        if (released) return;
        released = true;
        spawnSync(this.bin, ['rm', ctr], { env: this.env, stdio: 'ignore', timeout: 30_000 });
      } };
      try {
        const path = (await this.checked(['mount', ctr])).stdout.trim();
        return { path, ...undo };
      } catch (e) {
        await undo.release();
        throw e;
      }
    }
    // docker: export a created (never started) container into a scratch directory
    await mkdir(scratchDir, { recursive: true });
    const dir = await mkdtemp(join(scratchDir, 'root-'));
    await this.checked(['create', '--name', ctr, id, '/almac-never-started']);
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.exec(['rm', '-f', ctr]);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      const r = await execCommand(['sh', '-c', `"$0" export "$1" | tar -x -C "$2" --numeric-owner`, this.bin, ctr, dir], { env: this.env });
      if (r.code !== 0) throw new EngineCommandError(`docker export ${ctr} failed: ${tail(r.stderr)}`, r);
    } catch (e) {
      await release();
      throw e;
    }
    return {
      path: dir,
      release,
      releaseSync: () => {
        if (released) return;
        released = true;
        spawnSync(this.bin, ['rm', '-f', ctr], { env: this.env, stdio: 'ignore', timeout: 30_000 });
        spawnSync('rm', ['-rf', dir], { stdio: 'ignore' });
      },
    };
  }

  /**
   * Runs argv in a throw-away, named container of `image` (entrypoint replaced). podman/docker: the
   * container is named so that an interrupted or timed-out run can be removed with `rm -f` (killing
   * the client leaves the container running; running the client in a PID namespace instead leaves
   * stale runc state behind). buildah: from / run (in a PID namespace) / rm.
   */
  async runContainer(image: string, argv: string[], o: RunContainerOptions = {}): Promise<ExecResult> {
    const name = o.name ?? `almac-run-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    const common: ExecOptions = {
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.logFile ? { logFile: o.logFile } : {}),
      ...(o.onOutput ? { onOutput: o.onOutput } : {}),
    };
    const unregister = onInterrupt(() => this.removeContainersSync([name]));
    try {
      if (this.name === 'buildah') {
        await this.checked(['from', '--pull=never', '--name', name, image]);
        try {
          return await this.exec(this.containerRunArgs(image, argv, { ...o, name }), { ...common, killSafe: this.killSafe });
        } finally {
          await this.exec(['rm', name]);
        }
      }
      const r = await this.exec(this.containerRunArgs(image, argv, { ...o, name }), common);
      if (r.aborted || r.timedOut || r.signal) await this.exec(this.name === 'podman' ? ['rm', '-f', '-t', '0', name] : ['rm', '-f', name]);
      return r;
    } finally {
      unregister();
    }
  }

  /** The argv runContainer() runs (for buildah: the `buildah run` part; `from`/`rm` around it). */
  containerRunArgs(image: string, argv: string[], o: RunContainerOptions & { name: string }): string[] {
    if (this.name === 'buildah') {
      const a = ['run', '--network', o.network ?? 'none'];
      for (const [k, v] of Object.entries(o.env ?? {})) a.push('--env', `${k}=${v}`);
      for (const v of o.volumes ?? []) a.push('--volume', v);
      return [...a, o.name, '--', ...argv];
    }
    const [entry, ...rest] = argv;
    if (entry === undefined) throw new Error('runContainer: empty argv');
    const ep = this.name === 'podman' && /\s/.test(entry) ? JSON.stringify([entry]) : entry;
    const a = runArgv(image, rest, {
      rm: true,
      network: o.network ?? 'none',
      entrypoint: ep,
      ...(o.env ? { env: o.env } : {}),
      ...(o.volumes ? { volumes: o.volumes } : {}),
    });
    a.splice(1, 0, '--name', o.name);
    return a;
  }

  /** Removes containers by name (after an interrupted helper run); synchronous for the interrupt path. */
  removeContainersSync(names: string[]): void {
    if (!names.length) return;
    const args = this.name === 'buildah' ? ['rm', ...names] : this.name === 'podman' ? ['rm', '-f', '-t', '0', '--ignore', ...names] : ['rm', '-f', ...names];
    spawnSync(this.bin, args, { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }
}

/** "4.4 MB" / "251 kB" (decimal units) → bytes. */
export function parseSize(s: string): number {
  const m = /^\s*([\d.]+)\s*([kMGT]?B)\s*$/i.exec(s);
  if (!m) return 0;
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
  return Math.round(Number(m[1]) * (mult[m[2]!.toLowerCase()] ?? 1));
}

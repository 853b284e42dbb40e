// What the three engine classes share: they are command-line programs with the same verbs for most
// things. Each subclass (podman.ts, buildah.ts, docker.ts) overrides only where its CLI differs.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildArgv, importArgv, runArgv } from './argv.js';
import type { EngineName } from './detect.js';
import type { EngineEnvironment } from './environment.js';
import { CommandError } from './errors.js';
import { parseImageInspect } from './parse.js';
import type { OciPlatform } from '../platform.js';
import { directSink, execCommand, onInterrupt, type CommandOptions, type CommandSink, type ExecResult } from './process.js';
import { RUN_LABEL } from './reap.js';
import type { BuildRequest, ContainerRunOptions, Engine, EngineCapabilities, ImageChanges, ImageInfo, ImageRecord, ImageRoot, PushOptions } from './types.js';

export interface EngineOptions {
  /** The executable; default the engine's name. */
  bin?: string;
  /** The complete environment of engine commands. Default: process.env plus the store's variables. */
  env?: Record<string, string>;
  /** almac's own store (environment.ts), when there is one. */
  store?: EngineEnvironment;
  /** Run builds and containers in a PID namespace that dies with almac (process.ts). */
  killSafe?: boolean;
}

const NO_RESULT: ExecResult = { argv: [], code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };

export function uniqueName(kind: string): string {
  return `almac-${kind}-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
}

export abstract class CliEngine implements Engine {
  abstract readonly name: EngineName;
  abstract readonly capabilities: EngineCapabilities;
  readonly bin: string;
  readonly env: Record<string, string>;
  readonly envVars: Record<string, string>;
  readonly store: EngineEnvironment | undefined;
  protected readonly killSafe: boolean;

  constructor(bin: string, o: EngineOptions) {
    this.bin = o.bin ?? bin;
    this.store = o.store;
    this.envVars = { ...(o.store?.env ?? {}) };
    this.env = o.env ?? { ...(process.env as Record<string, string>), ...this.envVars };
    this.killSafe = o.killSafe ?? false;
  }

  /** An engine command (argv without the program) through `sink`. */
  protected cmd(args: string[], o: CommandOptions = {}, sink: CommandSink = directSink): Promise<ExecResult> {
    return sink.run([this.bin, ...args], { ...o, env: this.env, display: this.name });
  }

  /** A query: run now, never printed, even in a dry run. */
  protected query(args: string[], o: CommandOptions = {}): Promise<ExecResult> {
    return this.cmd(args, o, directSink);
  }

  protected tmpBase(): string {
    return this.store?.tmpDir ?? this.env['TMPDIR'] ?? tmpdir();
  }

  protected abstract listImagesOnce(): Promise<ImageRecord[]>;

  async listImages(): Promise<ImageRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listImagesOnce();
      } catch (e) {
        // podman 4 fails the whole listing with "image not known" when another build removes one meanwhile
        const raced = e instanceof CommandError && /image not known|locating image|no such image/i.test(e.result?.stderr ?? '');
        if (!raced || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  async inspect(ref: string): Promise<ImageInfo> {
    return parseImageInspect((await this.query(['image', 'inspect', ref])).stdout);
  }

  async build(req: BuildRequest, sink: CommandSink = directSink): Promise<string> {
    const scratch = req.iidFile ? undefined : sink.dryRun ? '$TMPDIR' : await mkdtemp(join(this.tmpBase(), 'almac-build-'));
    const iid = req.iidFile ?? join(scratch!, 'image-id');
    try {
      await this.cmd(buildArgv(req, this.name, iid), {
        killSafe: this.killSafe,
        what: req.what ?? `${this.name} build of ${req.containerfile}`,
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        ...(req.onLine ? { onLine: req.onLine } : {}),
      }, sink);
      if (sink.dryRun) return '$IMAGE_ID';
      return (await readFile(iid, 'utf8')).trim().replace(/^sha256:/, '');
    } finally {
      if (scratch && !sink.dryRun) await rm(scratch, { recursive: true, force: true });
    }
  }

  pull(ref: string, sink: CommandSink = directSink, o: { platform?: string } = {}): Promise<ExecResult> {
    return this.cmd(['pull', '-q', ...(o.platform ? ['--platform', o.platform] : []), ref], { allowFailure: true }, sink);
  }

  async tag(id: string, refs: string[], sink: CommandSink = directSink): Promise<void> {
    if (refs.length) await this.cmd(['tag', id, ...refs], { what: `${this.name} tag` }, sink);
  }

  async removeImages(refs: string[], sink: CommandSink = directSink): Promise<ExecResult> {
    if (!refs.length) return NO_RESULT;
    return this.cmd(['rmi', ...refs], { allowFailure: true }, sink);
  }

  async importRoot(tarPath: string, ref: string, changes: ImageChanges, sink: CommandSink = directSink): Promise<string> {
    const a = importArgv(tarPath, ref, changes);
    const r = await this.cmd([a[0]!, '-q', ...a.slice(1)], { what: `${this.name} import` }, sink);
    return sink.dryRun ? '$IMAGE_ID' : importedId(this.name, r.stdout);
  }

  abstract mountImage(id: string, scratchDir: string): Promise<ImageRoot>;

  /**
   * podman/docker: a named, labelled container (`--rm`), so that an interrupted run can be removed by
   * name and a killed run's by the next run (reap.ts). Kill-safe engines run the client in a PID
   * namespace, so conmon and the container's processes die with almac.
   */
  async run(image: string, argv: string[], o: ContainerRunOptions = {}, sink: CommandSink = directSink): Promise<ExecResult> {
    const name = o.name ?? uniqueName('run');
    const [entry, ...rest] = argv;
    if (entry === undefined) throw new Error('run: empty argv');
    const ep = this.name === 'podman' && /\s/.test(entry) ? JSON.stringify([entry]) : entry;
    const args = runArgv(image, rest, {
      name,
      rm: true,
      network: o.network ?? 'none',
      entrypoint: ep,
      labels: { [RUN_LABEL]: String(process.pid) },
      ...(o.input !== undefined ? { interactive: true } : {}),
      ...(o.env ? { env: o.env } : {}),
      ...(o.volumes ? { volumes: o.volumes } : {}),
    });
    const unregister = sink.dryRun ? () => {} : onInterrupt(() => this.removeContainersSync([name]));
    try {
      const r = await this.cmd(args, {
        killSafe: this.killSafe,
        allowFailure: true,
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.input !== undefined ? { input: o.input } : {}),
      }, sink);
      if (r.aborted || r.timedOut || r.signal) this.removeContainersSync([name]);
      if (r.code !== 0 && !o.allowFailure && !r.aborted) {
        throw new CommandError(`${o.what ?? argv.join(' ').slice(0, 200)} failed (${r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`})`, r);
      }
      return r;
    } finally {
      unregister();
    }
  }

  removeContainersSync(names: string[]): void {
    if (!names.length) return;
    spawnSync(this.bin, ['rm', '-f', ...names], { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }

  workingContainersSync(): string[] {
    return [];
  }

  removeWorkingContainersSync(_ids: string[]): void {
    // only engines with working containers have any
  }

  async push(ref: string, destination: string, o: PushOptions = {}, sink: CommandSink = directSink): Promise<void> {
    const a = ['push'];
    if (o.tlsVerify === false) a.push('--tls-verify=false');
    if (o.all) a.push('--all');
    if (o.digestFile) a.push('--digestfile', o.digestFile);
    await this.cmd([...a, ref, destination], { what: `${this.name} push ${destination}` }, sink);
  }

  async createManifest(list: string, sink: CommandSink = directSink): Promise<void> {
    await this.cmd(['manifest', 'rm', list], { allowFailure: true }, sink);
    await this.cmd(['manifest', 'create', list], { what: `${this.name} manifest create ${list}` }, sink);
  }

  async addToManifest(list: string, image: string, sink: CommandSink = directSink, platform?: OciPlatform): Promise<void> {
    const p = platform ? ['--os', platform.os, '--arch', platform.architecture, ...(platform.variant ? ['--variant', platform.variant] : [])] : [];
    await this.cmd(['manifest', 'add', ...p, list, image], { what: `${this.name} manifest add ${list}` }, sink);
  }

  async pushManifest(list: string, destination: string, o: { format?: 'oci' | 'v2s2' } = {}, sink: CommandSink = directSink): Promise<void> {
    await this.cmd(['manifest', 'push', '--all', ...(o.format ? ['--format', o.format] : []), list, destination], { what: `${this.name} manifest push ${list}` }, sink);
  }

  async removeManifest(list: string, sink: CommandSink = directSink): Promise<void> {
    await this.cmd(['manifest', 'rm', list], { allowFailure: true }, sink);
  }

  /** A scratch directory for an exported root (engines that cannot mount images). */
  protected async scratch(dir: string, prefix: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    return mkdtemp(join(dir, prefix));
  }

  protected exec(argv: string[]): Promise<ExecResult> {
    return execCommand(argv, { env: this.env });
  }
}

/** The image id an import printed: podman -q / buildah commit -q print it; docker prints sha256:<id>. */
export function importedId(engine: string, stdout: string): string {
  const id = stdout.match(/[0-9a-f]{64}/g)?.pop();
  if (!id) throw new CommandError(`${engine} import printed no image id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return id;
}

/**
 * The undo of something an engine call left in place (a mount, a working container): it runs once,
 * by `release()` or `releaseSync()`, and on SIGINT/SIGTERM until then (registered when this is
 * called, so before the thing it undoes exists).
 */
export function undoOnce(asyncFn: () => Promise<void>, syncFn: () => void): Pick<ImageRoot, 'release' | 'releaseSync'> {
  const unregister = onInterrupt(syncFn);
  let done = false;
  return {
    release: async () => {
      if (!done) {
        done = true;
        await asyncFn();
      }
      unregister();
    },
    releaseSync: () => {
      if (!done) {
        done = true;
        syncFn();
      }
      unregister();
    },
  };
}

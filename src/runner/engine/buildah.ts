// buildah: builds take podman's flags (`buildah build`); containers are working containers
// (`buildah from` / `run` / `rm`), imports go through one (`from scratch` / `add` / `config` / `commit`).
import { spawnSync } from 'node:child_process';
import { buildahConfigArgs } from './argv.js';
import { CliEngine, importedId, undoOnce, uniqueName, type EngineOptions } from './cli-engine.js';
import { CommandError } from './errors.js';
import { parseBuildahImages, parseBuildahInspect, parseLines } from './parse.js';
import { directSink, onInterrupt, type CommandSink, type ExecResult } from './process.js';
import type { ContainerRunOptions, EngineCapabilities, ImageChanges, ImageInfo, ImageRecord, ImageRoot } from './types.js';

export class BuildahEngine extends CliEngine {
  readonly name = 'buildah' as const;
  readonly capabilities: EngineCapabilities = { pidNamespaceBuilds: true, mountsImages: true, manifestLists: true };

  constructor(o: EngineOptions = {}) {
    super('buildah', o);
  }

  protected async listImagesOnce(): Promise<ImageRecord[]> {
    return parseBuildahImages((await this.query(['images', '--json', '--no-trunc'])).stdout);
  }

  override async inspect(ref: string): Promise<ImageInfo> {
    const info = parseBuildahInspect((await this.query(['inspect', '--type', 'image', ref])).stdout);
    const imgs = await this.query(['images', '--json', '--no-trunc', ref], { allowFailure: true });
    if (imgs.code === 0) {
      const l = parseBuildahImages(imgs.stdout);
      if (l[0]?.size) info.size = l[0].size;
      if (l[0]?.names.length) info.repoTags = l[0].names;
    }
    return info;
  }

  override async importRoot(tarPath: string, ref: string, changes: ImageChanges, sink: CommandSink = directSink): Promise<string> {
    const ctr = uniqueName('import');
    const cfg = buildahConfigArgs(changes);
    await this.cmd(['from', '--pull=never', '--name', ctr, 'scratch'], {}, sink);
    try {
      await this.cmd(['add', ctr, tarPath, '/'], {}, sink); // local archives are extracted
      if (cfg.length) await this.cmd(['config', ...cfg, ctr], {}, sink);
      const r = await this.cmd(['commit', '-q', '--rm', ctr, ref], { what: 'buildah commit' }, sink);
      return sink.dryRun ? '$IMAGE_ID' : importedId(this.name, r.stdout);
    } catch (e) {
      this.removeWorkingContainersSync([ctr]);
      throw e;
    }
  }

  async mountImage(id: string, _scratchDir?: string): Promise<ImageRoot> {
    const ctr = uniqueName('verify');
    const rmSync = (): void => void spawnSync(this.bin, ['rm', ctr], { env: this.env, stdio: 'ignore', timeout: 30_000 });
    const undo = undoOnce(async () => void (await this.exec([this.bin, 'rm', ctr])), rmSync);
    try {
      await this.query(['from', '--pull=never', '--name', ctr, id]);
      const path = (await this.query(['mount', ctr])).stdout.trim();
      return { path, ...undo };
    } catch (e) {
      await undo.release();
      throw e;
    }
  }

  /** from / run (in a PID namespace) / rm. */
  override async run(image: string, argv: string[], o: ContainerRunOptions = {}, sink: CommandSink = directSink): Promise<ExecResult> {
    const name = o.name ?? uniqueName('run');
    const a = ['run', '--network', o.network ?? 'none'];
    for (const [k, v] of Object.entries(o.env ?? {})) a.push('--env', `${k}=${v}`);
    for (const v of o.volumes ?? []) a.push('--volume', v);
    const unregister = sink.dryRun ? () => {} : onInterrupt(() => this.removeWorkingContainersSync([name]));
    try {
      await this.cmd(['from', '--pull=never', '--name', name, image], {}, sink);
      try {
        const r = await this.cmd([...a, name, '--', ...argv], {
          killSafe: this.killSafe,
          allowFailure: true,
          ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
          ...(o.input !== undefined ? { input: o.input } : {}),
        }, sink);
        if (r.code !== 0 && !o.allowFailure && !r.aborted) throw new CommandError(`${o.what ?? argv.join(' ').slice(0, 200)} failed (exit code ${r.code})`, r);
        return r;
      } finally {
        await this.cmd(['rm', name], { allowFailure: true }, sink);
      }
    } finally {
      unregister();
    }
  }

  override removeContainersSync(names: string[]): void {
    this.removeWorkingContainersSync(names);
  }

  override workingContainersSync(): string[] {
    // --all: also containers that exist only in the storage layer (a run killed while it created one)
    const r = spawnSync(this.bin, ['containers', '--all', '-q', '--notruncate'], { env: this.env, encoding: 'utf8', timeout: 30_000 });
    return parseLines(r.stdout);
  }

  override removeWorkingContainersSync(ids: string[]): void {
    if (ids.length) spawnSync(this.bin, ['rm', ...ids], { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }
}

// docker: builds run in the daemon, so killing the client does not stop them and no PID namespace
// helps; the daemon has one store (no almac store). Images cannot be mounted: a created (never
// started) container is exported into a scratch directory. The legacy builder leaves its step images
// in the store; build() removes the ones nothing names.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { CliEngine, importedId, undoOnce, uniqueName, type EngineOptions } from './cli-engine.js';
import { CommandError } from './errors.js';
import { importArgv } from './argv.js';
import { parseDockerImages } from './parse.js';
import { directSink, execCommand, type CommandSink, type ExecResult } from './process.js';
import type { BuildRequest, EngineCapabilities, ImageChanges, ImageRecord, ImageRoot } from './types.js';

/** Image ids a docker (legacy builder) build prints for its steps: ` ---> 1234abcd` / `--> 1234abcd`. */
export function intermediateImage(line: string): string | undefined {
  return /^\s*-+> ([0-9a-f]{11,64})\s*$/.exec(line)?.[1];
}

export class DockerEngine extends CliEngine {
  readonly name = 'docker' as const;
  readonly capabilities: EngineCapabilities = { pidNamespaceBuilds: false, mountsImages: false, manifestLists: false };

  constructor(o: EngineOptions = {}) {
    super('docker', { ...o, killSafe: false });
  }

  protected async listImagesOnce(): Promise<ImageRecord[]> {
    // -a: untagged images too (a superseded build must be found to be removed)
    return parseDockerImages((await this.query(['images', '-a', '--no-trunc', '--format', '{{json .}}'])).stdout);
  }

  override async build(req: BuildRequest, sink: CommandSink = directSink): Promise<string> {
    const steps: string[] = [];
    let id: string | undefined;
    try {
      id = await super.build({ ...req, onLine: (l) => {
        const i = intermediateImage(l);
        if (i) steps.push(i);
        req.onLine?.(l);
      } }, sink);
      return id;
    } finally {
      if (steps.length && !sink.dryRun) await this.removeIntermediates(steps, id);
    }
  }

  /** The step images a build printed, newest first, where nothing names them. Never fails. */
  private async removeIntermediates(shortIds: string[], keep: string | undefined): Promise<void> {
    try {
      const now = await this.listImages();
      const ids = shortIds
        .map((s) => now.find((i) => i.id.startsWith(s)))
        .filter((i): i is ImageRecord => !!i && i.names.length === 0 && i.id !== keep)
        .map((i) => i.id)
        .reverse();
      for (const i of ids) await this.exec([this.bin, 'rmi', i]); // children before parents
    } catch {
      // housekeeping only
    }
  }

  override pull(ref: string, sink: CommandSink = directSink, o: { platform?: string } = {}): Promise<ExecResult> {
    return this.cmd(['pull', ...(o.platform ? ['--platform', o.platform] : []), ref], { allowFailure: true }, sink);
  }

  override async tag(id: string, refs: string[], sink: CommandSink = directSink): Promise<void> {
    for (const r of refs) await this.cmd(['tag', id, r], { what: 'docker tag' }, sink);
  }

  override async importRoot(tarPath: string, ref: string, changes: ImageChanges, sink: CommandSink = directSink): Promise<string> {
    const r = await this.cmd(importArgv(tarPath, ref, changes), { what: 'docker import' }, sink); // no -q
    return sink.dryRun ? '$IMAGE_ID' : importedId(this.name, r.stdout);
  }

  async mountImage(id: string, scratchDir: string): Promise<ImageRoot> {
    const ctr = uniqueName('verify');
    const dir = await this.scratch(scratchDir, 'root-');
    const cleanSync = (): void => {
      spawnSync(this.bin, ['rm', '-f', ctr], { env: this.env, stdio: 'ignore', timeout: 30_000 });
      spawnSync('rm', ['-rf', dir], { stdio: 'ignore' });
    };
    const undo = undoOnce(async () => {
      await this.exec([this.bin, 'rm', '-f', ctr]);
      await rm(dir, { recursive: true, force: true });
    }, cleanSync);
    try {
      await this.query(['create', '--name', ctr, '--label', `org.almac.pid=${process.pid}`, id, '/almac-never-started']);
      const x = await execCommand(['sh', '-c', `"$0" export "$1" | tar -x -C "$2" --numeric-owner`, this.bin, ctr, dir], { env: this.env });
      if (x.code !== 0) throw new CommandError(`docker export ${ctr} failed: ${x.stderr.trim().split('\n').slice(-5).join('\n')}`, x);
    } catch (e) {
      await undo.release();
      throw e;
    }
    return { path: dir, ...undo };
  }

  override async createManifest(): Promise<void> {
    throw new CommandError('docker keeps no local manifest lists; build multi-platform images with podman or buildah');
  }

  override async addToManifest(): Promise<void> {
    throw new CommandError('docker keeps no local manifest lists; build multi-platform images with podman or buildah');
  }

  override async pushManifest(): Promise<void> {
    throw new CommandError('docker keeps no local manifest lists; build multi-platform images with podman or buildah');
  }

  override async removeManifest(): Promise<void> {}
}

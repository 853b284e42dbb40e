// docker: builds run in the daemon, so killing the client does not stop them and no PID namespace
// helps; the daemon has one store (no almac store). Images cannot be mounted: a created (never
// started) container is exported into a scratch directory. The legacy builder leaves its step images
// in the store; build() removes the ones nothing names, once no other build is using them.
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

/**
 * The legacy builder's step images are shared between builds: two images whose Containerfiles
 * begin alike reuse the same cached steps. A build that removed its step images while another was
 * still building could take one from under it ("No such image: sha256:…"). So the step images of
 * the builds that run at the same time against one daemon are removed together, when the last of
 * them ends, keeping every image those builds produced.
 */
interface DaemonBuilds {
  running: number;
  steps: string[];
  keep: Set<string>;
}
const buildsByDaemon = new Map<string, DaemonBuilds>();

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
    const daemon = this.env['DOCKER_HOST'] ?? '';
    const builds = buildsByDaemon.get(daemon) ?? { running: 0, steps: [], keep: new Set<string>() };
    buildsByDaemon.set(daemon, builds);
    builds.running++;
    try {
      const id = await super.build({ ...req, onLine: (l) => {
        const i = intermediateImage(l);
        if (i) builds.steps.push(i);
        req.onLine?.(l);
      } }, sink);
      builds.keep.add(id);
      return id;
    } finally {
      if (--builds.running === 0) {
        buildsByDaemon.delete(daemon);
        if (builds.steps.length && !sink.dryRun) await this.removeIntermediates(builds.steps, builds.keep);
      }
    }
  }

  /** The step images builds printed, newest first, where nothing names them. Never fails. */
  private async removeIntermediates(shortIds: string[], keep: Set<string>): Promise<void> {
    try {
      const now = await this.listImages();
      const ids = [...new Set(shortIds)]
        .map((s) => now.find((i) => i.id.startsWith(s)))
        .filter((i): i is ImageRecord => !!i && i.names.length === 0 && !keep.has(i.id))
        .map((i) => i.id)
        .reverse();
      // Children before parents; a parent refused while a child of another build still stood is
      // tried once more after the rest.
      const refused: string[] = [];
      for (const i of ids) if ((await this.exec([this.bin, 'rmi', i])).code !== 0) refused.push(i);
      for (const i of refused) await this.exec([this.bin, 'rmi', i]);
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

// podman: the reference engine. Images are mounted in place (`podman image mount`), builds and
// helper containers run in a PID namespace that dies with almac.
import { spawnSync } from 'node:child_process';
import { findOnPath } from './detect.js';
import { CliEngine, undoOnce, type EngineOptions } from './cli-engine.js';
import { parseLines, parsePodmanImages } from './parse.js';
import type { EngineCapabilities, ImageRecord, ImageRoot } from './types.js';

export class PodmanEngine extends CliEngine {
  readonly name = 'podman' as const;
  readonly capabilities: EngineCapabilities = { pidNamespaceBuilds: true, mountsImages: true, manifestLists: true };

  constructor(o: EngineOptions = {}) {
    super('podman', o);
  }

  protected async listImagesOnce(): Promise<ImageRecord[]> {
    return parsePodmanImages((await this.query(['images', '--format', 'json'])).stdout);
  }

  async mountImage(id: string, _scratchDir?: string): Promise<ImageRoot> {
    const unmountSync = (): void => void spawnSync(this.bin, ['image', 'unmount', id], { env: this.env, stdio: 'ignore', timeout: 30_000 });
    // registered before mounting: a signal while `podman image mount` runs must not leave a mount
    const undo = undoOnce(async () => void (await this.exec([this.bin, 'image', 'unmount', id])), unmountSync);
    try {
      const path = (await this.query(['image', 'mount', id])).stdout.trim();
      return { path, ...undo };
    } catch (e) {
      undo.releaseSync();
      throw e;
    }
  }

  override removeContainersSync(names: string[]): void {
    if (!names.length) return;
    spawnSync(this.bin, ['rm', '-f', '-t', '0', '--ignore', ...names], { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }

  /**
   * Containers of the store that podman does not manage: buildah's working containers, and
   * containers that exist only in the storage layer, such as the one a `podman run` killed while it
   * created it leaves (podman ps lists neither; `buildah containers --all` lists both, with podman's own).
   */
  override workingContainersSync(): string[] {
    const ids = (r: { stdout?: string | null }) => parseLines(r.stdout);
    const opts = { env: this.env, encoding: 'utf8', timeout: 30_000 } as const;
    const viaBuildah = findOnPath('buildah', this.env['PATH']);
    const all = viaBuildah
      ? ids(spawnSync('buildah', ['containers', '--all', '-q', '--notruncate'], opts))
      : ids(spawnSync(this.bin, ['ps', '-a', '--external', '--no-trunc', '--format', '{{.ID}}'], opts));
    // listed second, so that a podman container created between the two listings is never taken for one
    const managed = new Set(ids(spawnSync(this.bin, ['ps', '-a', '-q', '--no-trunc'], opts)));
    return all.filter((id) => !managed.has(id));
  }

  override removeWorkingContainersSync(ids: string[]): void {
    if (!ids.length) return;
    if (findOnPath('buildah', this.env['PATH'])) spawnSync('buildah', ['rm', ...ids], { env: this.env, stdio: 'ignore', timeout: 60_000 });
    else spawnSync(this.bin, ['rm', '-f', ...ids], { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }
}

// podman: the reference engine. Images are mounted in place (`podman image mount`), builds and
// helper containers run in a PID namespace that dies with almac.
import { spawnSync } from 'node:child_process';
import { findOnPath } from './detect.js';
import { CliEngine, undoOnce, type EngineOptions } from './cli-engine.js';
import { parsePodmanImages } from './parse.js';
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

  /** buildah's working containers (podman build makes them), seen by buildah or as podman's "external" ones. */
  override workingContainersSync(): string[] {
    const viaBuildah = findOnPath('buildah', this.env['PATH']);
    const r = viaBuildah
      ? spawnSync('buildah', ['containers', '-q', '--notruncate'], { env: this.env, encoding: 'utf8', timeout: 30_000 })
      : spawnSync(this.bin, ['ps', '-a', '--external', '--no-trunc', '--filter', 'status=unknown', '--format', '{{.ID}}'], { env: this.env, encoding: 'utf8', timeout: 30_000 });
    return (r.stdout ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
  }

  override removeWorkingContainersSync(ids: string[]): void {
    if (!ids.length) return;
    if (findOnPath('buildah', this.env['PATH'])) spawnSync('buildah', ['rm', ...ids], { env: this.env, stdio: 'ignore', timeout: 60_000 });
    else spawnSync(this.bin, ['rm', '-f', ...ids], { env: this.env, stdio: 'ignore', timeout: 60_000 });
  }
}

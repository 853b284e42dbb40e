// docker flavour of the Engine interface. Builds run in the docker daemon, so the PID-namespace
// kill-safety of exec.ts does not apply (killing the client does not stop the daemon's build), and
// `--pull=never` / `--layers` do not exist; the rest is the same CLI as podman.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodmanEngine, importArgv, queryRpmdb, type EngineConstructorOptions, type ImageChanges, type InstalledPackage, type Leaks } from './podman.js';

export class DockerEngine extends PodmanEngine {
  constructor(o: EngineConstructorOptions = {}) {
    // no per-run store (the daemon has one store) and no kill-safety (the daemon runs the build)
    super({ ...o, environment: undefined, killSafe: false }, 'docker');
  }

  override async importTar(tarPath: string, tag: string, changes: ImageChanges = {}): Promise<string> {
    const r = await this.checked(importArgv(tarPath, tag, changes)); // docker import has no -q
    return r.stdout.trim().replace(/^sha256:/, '');
  }

  override async imageExists(ref: string): Promise<boolean> {
    const r = await this.exec(['image', 'inspect', ref]);
    if (r.code === 0) return true;
    if (/no such image/i.test(r.stderr)) return false;
    throw new Error(`docker image inspect ${ref}: exit ${r.code}: ${r.stderr.trim()}`);
  }

  /** docker cannot mount images: export a container's filesystem, extract only var/lib/rpm. */
  override async installedPackages(ref: string): Promise<InstalledPackage[]> {
    const ctr = (await this.checked(['create', ref, 'true'])).stdout.trim();
    const dir = await mkdtemp(join(tmpdir(), 'almac-rpmdb-'));
    try {
      await this.checked(['cp', `${ctr}:/var/lib/rpm`, join(dir, 'var-lib-rpm')]).catch(() => undefined);
      await mkdir(join(dir, 'root', 'var', 'lib'), { recursive: true });
      await rename(join(dir, 'var-lib-rpm'), join(dir, 'root', 'var', 'lib', 'rpm')).catch(() => undefined);
      return await queryRpmdb(join(dir, 'root'), this.env);
    } finally {
      await this.exec(['rm', '-f', ctr]);
      await rm(dir, { recursive: true, force: true });
    }
  }

  override async resetStore(): Promise<void> {
    throw new Error('docker has no per-run store; remove images individually');
  }

  override async listLeaks(): Promise<Leaks> {
    const ps = await this.exec(['ps', '-aq']);
    const containers = ps.code === 0 ? ps.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
    return { containers, workingContainers: [], mounts: [], processes: [], runc: [], bundleDirs: [] };
  }
}

// Container-engine helpers for `almac build` and the real-engine tests.
export * from './detect.js';
export * from './environment.js';
export * from './exec.js';
export * from './podman.js';
export * from './buildah.js';
export * from './docker.js';
export * from './repos.js';

import { detectEngine, type EngineName } from './detect.js';
import type { EngineEnvironment } from './environment.js';
import { BuildahEngine } from './buildah.js';
import { DockerEngine } from './docker.js';
import { PodmanEngine, type Engine } from './podman.js';

/** The Engine for `name` (or the first one found on PATH). */
export function createEngine(opts: { name?: EngineName; environment?: EngineEnvironment; killSafe?: boolean | 'auto' } = {}): Engine {
  const found = detectEngine(opts.name ? { prefer: opts.name } : {});
  const o = {
    binary: found.path,
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.killSafe !== undefined ? { killSafe: opts.killSafe } : {}),
  };
  switch (found.name) {
    case 'podman':
      return new PodmanEngine(o);
    case 'buildah':
      return new BuildahEngine(o);
    case 'docker':
      return new DockerEngine(o);
  }
}

// The runner's engine layer: one Engine interface (types.ts), one class per engine, one process layer
// (process.ts), one set of error types (errors.ts), and the leftovers of killed runs (reap.ts).
export * from './argv.js';
export * from './buildah.js';
export * from './cli-engine.js';
export * from './detect.js';
export * from './docker.js';
export * from './environment.js';
export * from './errors.js';
export * from './open.js';
export * from './parse.js';
export * from './podman.js';
export * from './process.js';
export * from './reap.js';
export * from './types.js';

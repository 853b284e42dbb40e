// What the builds of one run share: the engine, what its store held at the start, the package
// cache, the builder images pulled or derived once per run, and the build directory's state.
import type { Engine, ImageRecord } from '../engine/index.js';
import type { RepoServer } from '../repo-server.js';
import type { StateFile } from '../state.js';
import type { InputsOf } from './skip.js';

export interface RunContext {
  engine: Engine;
  /** The store's images when the run started. */
  images: ImageRecord[];
  buildDir: string;
  state: StateFile;
  inputsOf: InputsOf;
  noGpgcheck: boolean;
  ksExecutor: 'livemedia-creator' | 'almac';
  server?: RepoServer;
  /** SYSBASE pulls and derived builders, once per run. */
  pulls: Map<string, Promise<string>>;
  derived: Map<string, Promise<string>>;
  /** Derived builder tags used by this run (others with the same key are superseded). */
  derivedUsed: Set<string>;
  dryRun: boolean;
  print: (s: string) => void;
  signal: AbortSignal;
}

// The options of `almac build` (parsed in src/cli/commands/build.ts) and its exit codes.
import type { EngineName } from '../engine/index.js';
import type { Route } from '../job.js';

export type ProgressMode = 'auto' | 'tty' | 'plain';

export interface BuildCommandOptions {
  root: string;
  selectors: string[];
  engine?: EngineName;
  via: Route[];
  /** --sysbase IMAGE (every platform) and PLATFORM=IMAGE (one platform), repeatable. */
  sysbase?: string[];
  repo: string[];
  noGpgcheck: boolean;
  jobs?: number;
  keepGoing: boolean;
  dryRun: boolean;
  platform: string[];
  force: boolean;
  buildDir: string;
  /** Engine store directory, or 'system'; default <build-dir>/engine. */
  store?: string;
  json: boolean;
  ksExecutor: 'auto' | 'livemedia-creator' | 'almac';
  /** Fail an image whose packages differ from its lock in generated/locks/. */
  locked?: boolean;
  /** auto: a live region on a terminal, plain lines otherwise; tty / plain force one. */
  progress?: ProgressMode;
}

export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

/** Where a run writes: stdout for the result (summary, --json, --dry-run), stderr for progress. */
export interface BuildIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
  color: boolean;
}

export function useColor(stream: { isTTY?: boolean }): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR']) return true;
  return Boolean(stream.isTTY);
}

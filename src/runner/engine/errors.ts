// The runner's failure kinds, one class each. Every command line, every engine and every part of
// `almac build` throws these and nothing else of its own, so the exit code follows from the class:
//   UsageError        the command line asks for something impossible        → exit 2
//   EnvironmentError  the machine lacks something (engine, runtime, binfmt)  → exit 3
//   CommandError      a command almac ran failed (its result is attached)    → the build fails
//   CancelledError    the run was interrupted or failed fast                 → the build is cancelled
import type { ExecResult } from './process.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class EnvironmentError extends Error {
  override readonly name: string = 'EnvironmentError';
}

/** No container engine on PATH; `hint` says how to install one. */
export class EngineNotFoundError extends EnvironmentError {
  override readonly name = 'EngineNotFoundError';
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(`${message}\n${hint}`);
    this.hint = hint;
  }
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(message: string, readonly result?: ExecResult) {
    super(message);
  }
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** Why a command did not succeed, in words ("exit code 1", "timed out after 120 s", …). */
export function failureReason(r: ExecResult, timeoutMs?: number): string {
  if (r.aborted) return 'interrupted';
  if (r.timedOut) return timeoutMs !== undefined ? `timed out after ${Math.round(timeoutMs / 1000)} s` : 'timed out';
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.code}`;
}

/** The last `n` lines of a command's stderr, for an error message. */
export function stderrTail(r: ExecResult, n = 15): string {
  return r.stderr.trim().split('\n').slice(-n).join('\n');
}

// File-system failures that stop a command (exit 3): every path that could not be read or written,
// named relative to the project, with the reason, and what almac left as it was. Thrown, and
// printed by the command line's one error handler (cli/main.ts) as its message.

export interface FsProblem {
  /** "/"-separated, relative to the project root, as shown to the user. */
  path: string;
  reason: string;
}

/** "permission denied (EACCES)" from a Node error, or its message for anything else. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only file system',
    EIO: 'input/output error',
    ENOTDIR: 'not a directory',
    ELOOP: 'too many levels of symbolic links',
    EMFILE: 'too many open files',
    ENAMETOOLONG: 'file name too long',
  };
  if (err?.code && known[err.code]) return `${known[err.code]} (${err.code})`;
  return err?.message ?? String(e);
}

export class FileSystemError extends Error {
  constructor(
    readonly problems: FsProblem[],
    readonly verb: 'read' | 'write',
    /** The last line: what was left untouched, and how to go on. */
    readonly outcome: string,
  ) {
    const list = problems.map((p) => `  ${p.path}: ${p.reason}`);
    super(
      problems.length === 1
        ? `cannot ${verb} ${problems[0]!.path}: ${problems[0]!.reason}\n${outcome}`
        : `cannot ${verb} ${problems.length} paths:\n${list.join('\n')}\n${outcome}`,
    );
    this.name = 'FileSystemError';
  }
}

export const LEFT_AS_IT_WAS = 'generated/ was left as it was; nothing was written.';

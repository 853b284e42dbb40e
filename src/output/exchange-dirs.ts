// Atomically exchanging two directories: renameat2(2) with RENAME_EXCHANGE (Linux 3.15+).
//
// Node has no binding for renameat2, so a small helper program makes the call. Each is tried in
// turn and the first that works is remembered for the rest of the process:
//   1. `mv --exchange` (GNU coreutils 9.5 and later);
//   2. perl's syscall() (perl-base is on practically every Linux), only on the architectures whose
//      renameat2 syscall number is listed below;
//   3. python3's ctypes, through the C library's renameat2() (glibc 2.28 and later).
// None of them is trusted blindly: an exchange counts only if afterwards each path holds the other's
// inode. When none works (not Linux, an old kernel, a filesystem without RENAME_EXCHANGE such as
// NFS), exchangeDirs returns false and the caller falls back to two plain renames.
import { lstatSync } from 'node:fs';
import { createRequire } from 'node:module';

// Loaded on first use: most runs of almac swap nothing, and `check` starts faster without it.
const childProcess = () => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');

const RENAME_EXCHANGE = 2;
const AT_FDCWD = -100;

/** renameat2's syscall number, per Node architecture (from the kernel's syscall tables). */
const RENAMEAT2_SYSCALL: Partial<Record<NodeJS.Architecture, number>> = {
  x64: 316,
  arm64: 276, // the generic table, shared with riscv64 and loong64
  riscv64: 276,
  loong64: 276,
  ia32: 353,
  arm: 382,
  ppc64: 357,
  s390x: 347,
};

type Helper = { name: string; command: (a: string, b: string) => [string, string[]] | undefined };

const HELPERS: Helper[] = [
  { name: 'mv --exchange', command: (a, b) => ['mv', ['--exchange', '--no-target-directory', '--', a, b]] },
  {
    name: 'perl renameat2',
    command: (a, b) => {
      const nr = RENAMEAT2_SYSCALL[process.arch];
      if (nr === undefined) return undefined;
      // syscall() passes numbers as integers and strings as pointers to their bytes.
      const script = `exit(syscall(${nr}, ${AT_FDCWD}, $ARGV[0], ${AT_FDCWD}, $ARGV[1], ${RENAME_EXCHANGE}) == 0 ? 0 : 1)`;
      return ['perl', ['-e', script, a, b]];
    },
  },
  {
    name: 'python3 renameat2',
    command: (a, b) => {
      const script = [
        'import ctypes, os, sys',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `sys.exit(0 if libc.renameat2(${AT_FDCWD}, os.fsencode(sys.argv[1]), ${AT_FDCWD}, os.fsencode(sys.argv[2]), ${RENAME_EXCHANGE}) == 0 else 1)`,
      ].join('\n');
      return ['python3', ['-c', script, a, b]];
    },
  },
];

/** The helper that worked in this process: undefined = not tried yet, null = none works here. */
let chosen: Helper | null | undefined;

/** The inode of a path (lstat: a link is not followed), or undefined if there is nothing there. */
const inode = (p: string) => lstatSync(p, { bigint: true, throwIfNoEntry: false })?.ino;

function tryHelper(h: Helper, a: string, b: string): boolean {
  const cmd = h.command(a, b);
  const before = [inode(a), inode(b)];
  if (!cmd || before[0] === undefined || before[1] === undefined) return false;
  const r = childProcess().spawnSync(cmd[0], cmd[1], { stdio: 'ignore', timeout: 10_000 });
  if (r.error || r.status !== 0) return false;
  return inode(a) === before[1] && inode(b) === before[0];
}

/** Exchanges a and b with one particular helper (for tests of each); false if it cannot. */
export function exchangeDirsWith(name: string, a: string, b: string): boolean {
  const h = HELPERS.find((x) => x.name === name);
  return h !== undefined && process.platform === 'linux' && tryHelper(h, a, b);
}

export const EXCHANGE_HELPERS = HELPERS.map((h) => h.name);

/** The name of the helper in use, for diagnostics and tests; undefined before the first call. */
export function exchangeMethod(): string | null | undefined {
  return chosen === undefined ? undefined : chosen?.name ?? null;
}

/**
 * Swaps the directories at paths a and b in one atomic step. Returns false, having changed
 * nothing, when that is not possible here.
 */
export function exchangeDirs(a: string, b: string): boolean {
  if (process.platform !== 'linux' || chosen === null) return false;
  if (chosen) return tryHelper(chosen, a, b);
  for (const h of HELPERS) {
    if (tryHelper(h, a, b)) {
      chosen = h;
      return true;
    }
  }
  chosen = null;
  return false;
}

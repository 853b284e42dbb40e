// Reading files at a git revision without touching the working tree or the index: `git ls-tree`
// lists the blobs, one `git cat-file --batch` process reads them all.
import { execFileSync } from 'node:child_process';

/** A problem with the request (`usage`: bad revision, not a repository) or with the machine. */
export class GitError extends Error {
  constructor(message: string, readonly kind: 'usage' | 'environment') {
    super(message);
  }
}

const MAX_OUTPUT = 512 * 1024 * 1024;

function git(root: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd: root, input, maxBuffer: MAX_OUTPUT, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new GitError('git is not installed (almac diff reads definitions from git revisions)', 'environment');
    const stderr = err.stderr?.toString('utf8').trim() ?? '';
    throw new GitError(stderr || err.message, 'usage');
  }
}

/** Where the project sits inside its repository ("" at the top, else "sub/dir/"). */
export function projectPrefix(root: string): string {
  try {
    return git(root, ['rev-parse', '--show-prefix']).toString('utf8').trim();
  } catch (e) {
    if (e instanceof GitError && e.kind === 'usage') throw new GitError(`${root} is not inside a git repository; almac diff compares git revisions`, 'usage');
    throw e;
  }
}

/** The commit a revision names; a usage error that says so when it names none. */
export function resolveCommit(root: string, rev: string): string {
  if (rev.startsWith('-') || rev.trim() === '') throw new GitError(`\`${rev}\` is not a revision`, 'usage');
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).toString('utf8').trim();
  } catch {
    throw new GitError(`\`${rev}\` does not name a commit in this repository (try a branch, a tag or a commit hash)`, 'usage');
  }
}

/** `git merge-base HEAD main`, or HEAD when there is no main branch or no common ancestor. */
export function defaultBase(root: string): { rev: string; commit: string } {
  try {
    const commit = git(root, ['merge-base', 'HEAD', 'main']).toString('utf8').trim();
    if (commit) return { rev: 'merge-base of HEAD and main', commit };
  } catch {
    /* fall back to HEAD below */
  }
  return { rev: 'HEAD', commit: resolveCommit(root, 'HEAD') };
}

export function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}

/**
 * Regular files under `dirs` (paths relative to the project root) at `commit`, as raw bytes, keyed
 * by their path relative to the project root. Symbolic links and submodules are skipped.
 */
export function filesAt(root: string, commit: string, dirs: string[]): Map<string, Buffer> {
  const prefix = projectPrefix(root);
  const listing = git(root, ['ls-tree', '-r', '-z', '--full-name', commit, '--', ...dirs]).toString('utf8');
  const blobs: { path: string; object: string }[] = [];
  for (const entry of listing.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m || m[2] !== 'blob' || m[1] === '120000' || !m[4]!.startsWith(prefix)) continue;
    blobs.push({ path: m[4]!.slice(prefix.length), object: m[3]! });
  }
  const out = new Map<string, Buffer>();
  if (!blobs.length) return out;
  const batch = git(root, ['cat-file', '--batch'], blobs.map((b) => b.object).join('\n') + '\n');
  let at = 0;
  for (const b of blobs) {
    const headerEnd = batch.indexOf(0x0a, at);
    const header = batch.subarray(at, headerEnd).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[0] !== b.object || header[1] !== 'blob' || !Number.isInteger(size)) throw new GitError(`unexpected output from git cat-file for ${b.path}`, 'environment');
    out.set(b.path, batch.subarray(headerEnd + 1, headerEnd + 1 + size));
    at = headerEnd + 1 + size + 1;
  }
  return out;
}

// Committing a layout directory to a branch of a git repository without touching its work tree or
// index: a private index file, `git add -A` with the layout as the work tree, write-tree,
// commit-tree, update-ref. Commit dates are SOURCE_DATE_EPOCH, so the same layout and author give
// the same commit; a branch whose tree would not change keeps its commit.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand } from '../runner/engine/process.js';
import { scratchDir } from '../util/scratch.js';

export class GitError extends Error {}

async function git(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await execCommand(['git', ...args], { env: { ...(process.env as Record<string, string>), ...env } });
  if (r.code !== 0) throw new GitError(`git ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout.trim();
}

export interface BranchCommit {
  branch: string;
  commit: string;
  changed: boolean;
}

/** Commits the contents of `dir` as the whole tree of `branch` in the repository at `repo`. */
export async function commitDirectoryToBranch(repo: string, dir: string, branch: string, message: string, epoch: number): Promise<BranchCommit> {
  const gitDir = await git(['-C', repo, 'rev-parse', '--absolute-git-dir']).catch((e: Error) => {
    throw new GitError(`${repo} is not a git repository (${e.message})`);
  });
  await git(['--git-dir', gitDir, 'check-ref-format', '--branch', branch]).catch(() => {
    throw new GitError(`\`${branch}\` is not a valid branch name`);
  });
  const tmp = scratchDir('git-index-');
  try {
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    await git(['--git-dir', gitDir, '--work-tree', dir, 'add', '--all', '--force', '.'], env);
    const tree = await git(['--git-dir', gitDir, 'write-tree'], env);
    const ref = `refs/heads/${branch}`;
    const parent = await git(['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    if (parent && (await git(['--git-dir', gitDir, 'rev-parse', `${parent}^{tree}`])) === tree) return { branch, commit: parent, changed: false };
    const date = `@${epoch} +0000`;
    const commit = await git(['--git-dir', gitDir, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    await git(['--git-dir', gitDir, 'update-ref', '-m', 'almac library', ref, commit, parent || '0'.repeat(commit.length)]);
    return { branch, commit, changed: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Real git repositories in temporary directories, holding a copy of the project's definitions.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFINITIONS, tempDir } from '../helpers/project.js';

/** Git with no user or system configuration, so the test machine's settings cannot interfere. */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'almac tests',
  GIT_AUTHOR_EMAIL: 'tests@almac.invalid',
  GIT_COMMITTER_NAME: 'almac tests',
  GIT_COMMITTER_EMAIL: 'tests@almac.invalid',
};

export interface Repo {
  /** The repository's top directory. */
  top: string;
  /** The project root (`top`, or a directory inside it). */
  root: string;
  git(...args: string[]): string;
  /** Stages everything and commits; returns the commit hash. */
  commit(message: string): string;
  read(path: string): string;
  write(path: string, text: string): void;
  /** Replaces `from` (which must occur) with `to` in a project file. */
  edit(path: string, from: string, to: string): void;
}

/** A repository whose `main` branch has one commit: the project's definitions. */
export function projectRepo(opts: { branch?: string; subdir?: string } = {}): Repo {
  const top = tempDir('almac-review-');
  const root = opts.subdir ? join(top, opts.subdir) : top;
  cpSync(DEFINITIONS, join(root, 'definitions'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: top, env: GIT_ENV, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch', opts.branch ?? 'main');
  const repo: Repo = {
    top,
    root,
    git,
    commit: (message) => {
      git('add', '--all');
      git('commit', '--quiet', '--no-gpg-sign', '--message', message);
      return git('rev-parse', 'HEAD');
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
    write: (path, text) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    edit: (path, from, to) => {
      const text = repo.read(path);
      if (!text.includes(from)) throw new Error(`test bug: ${path} does not contain ${JSON.stringify(from)}`);
      repo.write(path, text.replace(from, to));
    },
  };
  repo.commit('definitions');
  return repo;
}

// Package repositories for the builder: `almac build --repo NAME=URL|DIR` adds them to the SYSBASE
// image in a derived layer (FROM <builder>, COPY .repo files, COPY local repo dirs), so the generated
// Containerfiles run unchanged with --build-arg SYSBASE=<derived tag>. Local directories are copied INTO
// the image rather than bind-mounted (`podman build -v`): the build command stays the real one and this
// works with every engine.
import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RepoSource {
  name: string;
  /** A URL (http, https, ftp, file) or a local directory holding repodata/. */
  source: string;
}

export interface BuilderRepo {
  name: string;
  baseurl: string;
  /** Set for local directories: where the copy goes inside the build context. */
  localDir?: string;
}

/** Where local repositories live inside the derived builder image. */
export const BUILDER_REPO_ROOT = '/srv/almac-repos';

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `NAME=URL` or `NAME=DIR`. */
export function parseRepoArg(arg: string): RepoSource {
  const i = arg.indexOf('=');
  if (i <= 0 || i === arg.length - 1) throw new Error(`--repo expects NAME=URL or NAME=DIR, got ${JSON.stringify(arg)}`);
  const name = arg.slice(0, i);
  if (!REPO_NAME.test(name)) throw new Error(`invalid repository name ${JSON.stringify(name)} (letters, digits, . _ -)`);
  return { name, source: arg.slice(i + 1) };
}

export function isUrl(s: string): boolean {
  return /^(https?|ftp|file):\/\//.test(s);
}

/** Resolves sources to baseurls (local dirs -> file:///srv/almac-repos/NAME). Rejects duplicate names. */
export function planBuilderRepos(sources: RepoSource[], cwd: string = process.cwd()): BuilderRepo[] {
  const seen = new Set<string>();
  return sources.map((r) => {
    if (!REPO_NAME.test(r.name)) throw new Error(`invalid repository name ${JSON.stringify(r.name)}`);
    if (seen.has(r.name)) throw new Error(`repository ${r.name} given twice`);
    seen.add(r.name);
    if (isUrl(r.source)) return { name: r.name, baseurl: r.source };
    return { name: r.name, baseurl: `file://${BUILDER_REPO_ROOT}/${r.name}`, localDir: resolve(cwd, r.source) };
  });
}

/**
 * One .repo file. gpgcheck=0: fixture/local packages are unsigned. skip_if_unavailable=False: Debian's
 * dnf.conf defaults to True, which would turn a broken repository into "No match for argument".
 */
export function renderRepoFile(r: { name: string; baseurl: string }, opts: { gpgcheck?: boolean } = {}): string {
  if (!REPO_NAME.test(r.name)) throw new Error(`invalid repository name ${JSON.stringify(r.name)}`);
  if (/[\s]/.test(r.baseurl)) throw new Error(`invalid baseurl ${JSON.stringify(r.baseurl)}`);
  return [
    `[${r.name}]`,
    `name=${r.name} (almac)`,
    `baseurl=${r.baseurl}`,
    'enabled=1',
    `gpgcheck=${opts.gpgcheck ? 1 : 0}`,
    'repo_gpgcheck=0',
    'skip_if_unavailable=False',
    '',
  ].join('\n');
}

export function renderBuilderContainerfile(baseImage: string, repos: BuilderRepo[]): string {
  const lines = [
    '# Derived builder: the SYSBASE image plus package repositories (written by almac)',
    `FROM ${baseImage}`,
    'COPY yum.repos.d/ /etc/yum.repos.d/',
  ];
  if (repos.some((r) => r.localDir)) lines.push(`COPY repos/ ${BUILDER_REPO_ROOT}/`);
  return lines.join('\n') + '\n';
}

/** Writes the build context of the derived builder into `dir` (emptied first). */
export async function prepareBuilderRepoContext(dir: string, baseImage: string, sources: RepoSource[], cwd?: string): Promise<{ contextDir: string; containerfile: string; repos: BuilderRepo[] }> {
  const repos = planBuilderRepos(sources, cwd);
  const ctx = resolve(dir);
  await rm(ctx, { recursive: true, force: true });
  await mkdir(join(ctx, 'yum.repos.d'), { recursive: true });
  for (const r of repos) {
    if (r.localDir) {
      try {
        await stat(join(r.localDir, 'repodata', 'repomd.xml'));
      } catch {
        throw new Error(`${r.localDir} is not a package repository (no repodata/repomd.xml)`);
      }
      await cp(r.localDir, join(ctx, 'repos', r.name), { recursive: true, verbatimSymlinks: true });
    }
    await writeFile(join(ctx, 'yum.repos.d', `${r.name}.repo`), renderRepoFile(r));
  }
  const containerfile = join(ctx, 'Containerfile');
  await writeFile(containerfile, renderBuilderContainerfile(baseImage, repos));
  return { contextDir: ctx, containerfile, repos };
}

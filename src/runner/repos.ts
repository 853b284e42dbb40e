// `--repo NAME=URL|DIR`: the package repositories a build uses instead of the ones in the committed
// files. Both routes see exactly the given set:
//   - containerfile route: a thin builder image derived from SYSBASE whose /etc/yum.repos.d holds only
//     these repositories (the generated Containerfile runs unchanged with --build-arg SYSBASE=<derived>);
//   - kickstart route: the kickstart's `url`/`repo` lines named like a --repo are replaced by it, the
//     others are not used, and --repo names the kickstart does not have are added.
// URLs and directories may carry dnf's $releasever and $basearch (also as ${…}), expanded per build
// with the image's release and the platform's base architecture (x86_64, aarch64, i686, …), so one
// `--repo fixture=/srv/repos/9-$basearch` serves every platform of a multi-platform build.
// Local directories (and file:// URLs) are copied into the derived builder at /srv/almac-repos/NAME,
// so those builds need no network at all. http(s) repositories are reached through almac's package
// cache on 127.0.0.1 (repo-server.ts) so that every package is downloaded once per run.
//
// GPG checking: off for local directories, file:// URLs and loopback http(s) URLs (127.0.0.1,
// localhost, [::1]): repositories the operator controls, such as test fixtures, whose packages are
// usually unsigned. On for every other URL, with the key of the definition's repository of the same
// name (baseos, appstream, …). A remote --repo whose name matches no repository of the definition has
// no known key: that is an error unless --no-gpgcheck is given.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './engine/errors.js';
import type { ImageSpec } from '../model/spec.js';

/** A malformed --repo (a usage error: exit 2). */
export class RepoOptionError extends UsageError {}

/** Where local repositories live inside the derived builder image. */
export const BUILDER_REPO_ROOT = '/srv/almac-repos';

/** dnf's repository id grammar, the one name grammar of `--repo` for build and lock. */
export const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** `NAME=URL` or `NAME=DIR`, split and the name checked. */
export function parseRepoArg(arg: string): { name: string; source: string } {
  const i = arg.indexOf('=');
  if (i <= 0 || i === arg.length - 1) throw new RepoOptionError(`--repo expects NAME=URL or NAME=DIR, got ${JSON.stringify(arg)}`);
  const name = arg.slice(0, i);
  if (!REPO_NAME.test(name)) throw new RepoOptionError(`invalid repository name ${JSON.stringify(name)} (letters, digits, . _ : -; starting with a letter or digit)`);
  return { name, source: arg.slice(i + 1) };
}

export interface RepoOption {
  name: string;
  /** As given on the command line. */
  source: string;
  kind: 'dir' | 'url';
  /** Absolute directory (kind 'dir'). */
  dir?: string;
  /** http(s)/ftp URL (kind 'url'). */
  url?: string;
  /** Loopback or local: gpgcheck off by default. */
  local: boolean;
}

const LOOPBACK = /^(https?|ftp):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

export function parseRepoOptions(args: string[], cwd: string): RepoOption[] {
  const out: RepoOption[] = [];
  for (const a of args) {
    const r = parseRepoArg(a);
    if (out.some((o) => o.name === r.name)) throw new RepoOptionError(`--repo ${r.name} is given twice`);
    let src = r.source;
    if (/^file:\/\//.test(src)) {
      try {
        src = fileURLToPath(src);
      } catch {
        throw new RepoOptionError(`--repo ${r.name}: ${r.source} is not a valid file:// URL`);
      }
    }
    const vars = [...src.matchAll(/\$(\{?)([A-Za-z0-9_]+)\}?/g)].map((m) => m[2]!);
    const bad = vars.filter((v) => v !== 'releasever' && v !== 'basearch');
    if (bad.length) throw new RepoOptionError(`--repo ${r.name}: only $releasever and $basearch may be used in ${r.source}, not $${bad[0]}`);
    if (/^(https?|ftp):\/\//i.test(src)) {
      if (/\s/.test(src)) throw new RepoOptionError(`--repo ${r.name}: the URL contains white space`);
      out.push({ name: r.name, source: r.source, kind: 'url', url: src.endsWith('/') ? src : `${src}/`, local: LOOPBACK.test(src) });
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) throw new RepoOptionError(`--repo ${r.name}: unsupported URL scheme in ${r.source} (use http, https, ftp, file or a directory)`);
    const dir = resolve(cwd, src);
    const opt: RepoOption = { name: r.name, source: r.source, kind: 'dir', dir, local: true };
    if (!vars.length) checkRepoDir(opt);
    out.push(opt);
  }
  return out;
}

/** A directory --repo must be a package repository (a usage error otherwise). */
function checkRepoDir(r: RepoOption): void {
  const dir = r.dir!;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  const from = r.source.includes('$') ? ` (${r.source} for this build)` : '';
  if (!isDir) throw new RepoOptionError(`--repo ${r.name}: ${dir}${from} is not a directory (give a URL or a directory holding repodata/)`);
  if (!existsSync(resolve(dir, 'repodata', 'repomd.xml'))) throw new RepoOptionError(`--repo ${r.name}: ${dir} is not a package repository (no repodata/repomd.xml; run createrepo_c on it)`);
}

/** Values of dnf's $releasever and $basearch for one build. */
export interface RepoVariables {
  releasever: string;
  basearch: string;
}

/** `text` with $releasever/$basearch (and ${…}) replaced. */
export function expandRepoVariables(text: string, v: RepoVariables): string {
  return text.replace(/\$\{?releasever\}?/g, v.releasever).replace(/\$\{?basearch\}?/g, v.basearch);
}

/**
 * The --repo as one build (release × platform) uses it: a directory's variables expanded and the
 * result checked. URLs keep theirs: the package cache serves them per release and architecture.
 */
export function repoForBuild(r: RepoOption, v: RepoVariables): RepoOption {
  if (r.kind !== 'dir' || !r.dir!.includes('$')) return r;
  const out: RepoOption = { ...r, dir: expandRepoVariables(r.dir!, v) };
  checkRepoDir(out);
  return out;
}

/** A repository as a build uses it, with its GPG settings decided. */
export interface ResolvedRepo {
  name: string;
  /** baseurl as the consumer sees it (inside the derived builder, or on the host). */
  baseurl: string;
  gpgcheck: boolean;
  gpgkey?: string;
}

/** GPG settings for --repo `r` in a build of `spec` (see the header comment). */
export function gpgFor(r: RepoOption, spec: ImageSpec, noGpgcheck: boolean): { gpgcheck: boolean; gpgkey?: string } {
  if (noGpgcheck || r.local) return { gpgcheck: false };
  const def = spec.repositories.find((d) => d.id === r.name);
  if (!def || !def.gpgcheck || !def.gpgkey) {
    if (def && !def.gpgcheck) return { gpgcheck: false };
    const known = spec.repositories.map((d) => d.id).join(', ') || '(none)';
    throw new RepoOptionError(
      `--repo ${r.name}=${r.source}: a remote repository is GPG-checked, but ${spec.id} defines no repository '${r.name}' to take the key from (its repositories: ${known}). ` +
        'Name the repository like one of the definition\'s, or pass --no-gpgcheck.',
    );
  }
  return { gpgcheck: true, gpgkey: def.gpgkey };
}

/** One section of a .repo file. */
export function renderRepoSection(r: ResolvedRepo): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(r.name)) throw new RepoOptionError(`invalid repository name ${JSON.stringify(r.name)}`);
  for (const v of [r.baseurl, r.gpgkey ?? '']) if (/[\s]/.test(v)) throw new RepoOptionError(`invalid URL ${JSON.stringify(v)}`);
  return [
    `[${r.name}]`,
    `name=${r.name} (almac --repo)`,
    `baseurl=${r.baseurl}`,
    'enabled=1',
    `gpgcheck=${r.gpgcheck ? 1 : 0}`,
    ...(r.gpgkey ? [`gpgkey=${r.gpgkey}`] : []),
    'repo_gpgcheck=0',
    // Debian's dnf.conf says True, which turns an unreachable repository into "No match for argument"
    'skip_if_unavailable=False',
    '',
  ].join('\n');
}

export function renderRepoFile(repos: ResolvedRepo[]): string {
  return '# Written by almac (--repo)\n' + repos.map(renderRepoSection).join('\n');
}

/** baseurl of a local-directory repository inside the derived builder. */
export function builderRepoPath(name: string): string {
  return `file://${BUILDER_REPO_ROOT}/${name}/`;
}

/** The derived builder: everything that decides its content. */
export interface DerivedBuilderSpec {
  /** The platform it is built for (its SYSBASE is that platform's image). */
  platform: string;
  /** SYSBASE as named by the user (or the definition). */
  sysbaseRef: string;
  /** Its image id (content address), when known. */
  sysbaseId: string;
  repos: ResolvedRepo[];
  /** Local directories copied into the image: name → absolute dir. */
  localDirs: Record<string, string>;
}

/** Fingerprint of a local repository's content: its repomd.xml (which names every metadata checksum). */
export function repoFingerprint(dir: string): string {
  try {
    return createHash('sha256').update(readFileSync(resolve(dir, 'repodata', 'repomd.xml'))).digest('hex').slice(0, 16);
  } catch {
    return 'missing';
  }
}

/** Stable identity of the derived builder (its tag is localhost/almac/builder:<hash>). */
export function derivedBuilderHash(d: DerivedBuilderSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 2, platform: d.platform, base: d.sysbaseId, repos: d.repos, local: Object.entries(d.localDirs).map(([n, dir]) => [n, repoFingerprint(dir)]) }));
  return h.digest('hex').slice(0, 16);
}

/** Containerfile of the derived builder: only the given repositories in /etc/yum.repos.d. */
export function renderDerivedContainerfile(d: DerivedBuilderSpec, labels: Record<string, string>): string {
  const lines = [
    '# Derived builder written by almac: SYSBASE with exactly the --repo repositories.',
    `FROM ${d.sysbaseId || d.sysbaseRef}`,
    'RUN rm -f /etc/yum.repos.d/*.repo',
    'COPY almac.repo /etc/yum.repos.d/almac.repo',
  ];
  if (Object.keys(d.localDirs).length) lines.push(`COPY repos/ ${BUILDER_REPO_ROOT}/`);
  const ls = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (ls.length) lines.push(`LABEL ${ls.join(' ')}`);
  return lines.join('\n') + '\n';
}

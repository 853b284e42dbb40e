// Resolving an image's package set with the host's dnf (its Python API, through
// scripts/dnf-resolve.py), without installing anything. Its scratch space is in the run's own
// directory (util/scratch.ts), and it dies with almac (setpriv --pdeathsig, where util-linux has it).
import { spawnSync } from 'node:child_process';
import fse from 'fs-extra';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diesWithParent } from '../runner/engine/process.js';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import type { LockedPackage } from './lockfile.js';

const RESOLVER = fileURLToPath(new URL('../../scripts/dnf-resolve.py', import.meta.url));
/** The system's Python, the one dnf's bindings are installed for. */
const PYTHON = '/usr/bin/python3';

export interface RepoOverride {
  id: string;
  url: string;
}

export class ResolveError extends Error {}

/** `scratch(prefix)` makes a new directory in the run's own directory (openRunScratch). */
export function resolvePackages(spec: ImageSpec, platform: PlatformInfo, overrides: RepoOverride[], cacheDir: string, scratch: (prefix: string) => string): LockedPackage[] {
  const repos = overrides.length
    ? overrides.map((o) => ({ id: o.id, baseurl: o.url }))
    : spec.repositories.map((r) => ({ id: r.id, baseurl: r.baseurl, mirrorlist: r.mirrorlist }));
  // Checked here: under setpriv, a missing interpreter would only show as setpriv's exit status.
  if (!existsSync(PYTHON)) throw new ResolveError(`cannot run the dnf resolver: ${PYTHON} is missing (is dnf installed? apt-get install dnf)`);
  const root = scratch('root-');
  // Debian's rpm keeps its database under $HOME unless told otherwise; give dnf a HOME whose
  // .rpmmacros points at the EL location, so nothing outside the temporary root is touched. It is
  // dnf's TMPDIR too: dnf leaves a temporary file there when it is killed.
  const home = scratch('home-');
  fse.outputFileSync(join(home, '.rpmmacros'), '%_dbpath /var/lib/rpm\n');
  fse.ensureDirSync(cacheDir);
  try {
    const request = {
      releasever: spec.releasever,
      arch: platform.basearch,
      basearch: platform.basearch,
      weak_deps: spec.weakDeps,
      cachedir: cacheDir,
      installroot: root,
      repos,
      install: spec.packages.install,
      exclude: spec.packages.exclude,
      remove: spec.packages.remove,
    };
    // Killed, almac cannot stop it (spawnSync blocks every signal handler): the kernel does.
    const argv = diesWithParent([PYTHON, RESOLVER]);
    const r = spawnSync(argv[0]!, argv.slice(1), { input: JSON.stringify(request), encoding: 'utf8', env: { ...process.env, HOME: home, TMPDIR: home }, maxBuffer: 64 << 20 });
    if (r.error) throw new ResolveError(`cannot run the dnf resolver: ${r.error.message} (is dnf installed? apt-get install dnf)`);
    let out: { packages?: LockedPackage[]; error?: string };
    try {
      out = JSON.parse(r.stdout || '{}');
    } catch {
      throw new ResolveError(`the dnf resolver failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
    }
    if (out.error || !out.packages) throw new ResolveError(`dnf could not resolve ${spec.id} (${platform.basearch}): ${out.error ?? r.stderr.trim()}`);
    return out.packages;
  } finally {
    fse.removeSync(root);
    fse.removeSync(home);
  }
}

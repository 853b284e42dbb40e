// `almac library [SELECTOR…] --from SOURCE --out DIR`: the Docker Official Images layout (rootfs
// tarballs and Dockerfiles per release, type and architecture) from built multi-platform images,
// and the bashbrew library file. `--commit-to REPO` commits each release to its branch of REPO
// and fills GitCommit in; `--validate FILE` checks an existing library file against bashbrew's rules.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commitLayout, exportLibrary, LibraryError, readLayoutManifest, writeLibraryFile } from '../../library/export.js';
import { GitError } from '../../library/git-branches.js';
import { OciLayoutError } from '../../library/oci-layout.js';
import { RootfsError } from '../../library/rootfs-tarball.js';
import { GIT_COMMIT, validateLibraryFile } from '../../library/validate.js';
import { CommandError as ExecError } from '../../runner/engine/errors.js';
import { EXIT, printJson } from '../io.js';
import { compileSelected } from '../compile-selected.js';

export interface LibraryOptions {
  root: string;
  json: boolean;
  selectors: string[];
  from?: string;
  out?: string;
  platforms: string[];
  date?: string;
  sourceDateEpoch?: string;
  commitTo?: string;
  gitCommit?: string;
  /** Only commit an existing layout (`--out`) to `--commit-to`. */
  commitOnly: boolean;
  validate?: string;
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return EXIT.usage;
}

/** SOURCE_DATE_EPOCH: the option, the environment, or the start of today (UTC). */
function epochOf(o: LibraryOptions): number | string {
  const raw = o.sourceDateEpoch ?? process.env['SOURCE_DATE_EPOCH'];
  if (raw === undefined || raw === '') return Math.floor(Date.now() / 86_400_000) * 86_400;
  return /^\d{1,12}$/.test(raw) ? Number(raw) : `SOURCE_DATE_EPOCH must be seconds since 1970 (digits), not \`${raw}\``;
}

export async function runLibrary(o: LibraryOptions): Promise<number> {
  if (o.validate) {
    let text: string;
    try {
      text = readFileSync(o.validate, 'utf8');
    } catch (e) {
      process.stderr.write(`error: cannot read ${o.validate}: ${(e as Error).message}\n`);
      return EXIT.environment;
    }
    const problems = validateLibraryFile(text);
    if (o.json) printJson({ ok: problems.length === 0, problems });
    else for (const p of problems) process.stderr.write(`${o.validate}:${p.line}: ${p.message}\n`);
    if (!o.json && !problems.length) process.stdout.write(`${o.validate} follows bashbrew's rules.\n`);
    return problems.length ? EXIT.failed : EXIT.ok;
  }
  if (!o.out) return usage('--out DIR is required (where the layout is written)');
  if (o.date !== undefined && !/^\d{8}$/.test(o.date)) return usage(`--date takes YYYYMMDD, not \`${o.date}\``);
  if (o.gitCommit !== undefined && !GIT_COMMIT.test(o.gitCommit)) return usage(`--git-commit takes a commit id of 40 or 64 hex digits, not \`${o.gitCommit}\``);
  if (o.commitOnly && !o.commitTo) return usage('--commit-only needs --commit-to REPO');
  const epoch = epochOf(o);
  if (typeof epoch === 'string') return usage(epoch);
  const out = resolve(o.out);
  const log = (l: string) => {
    if (!o.json) process.stderr.write(l + '\n');
  };
  try {
    let manifest;
    if (o.commitOnly) manifest = readLayoutManifest(out);
    else {
      if (!o.from) return usage('--from SOURCE is required: where the built images are, e.g. `oci:/srv/layouts/{release}-{image}:latest` or `docker://127.0.0.1:5000/{repository}:{version}`');
      const picked = compileSelected(o.root, o.selectors, { json: o.json });
      if (typeof picked === 'number') return picked;
      const { compilation: c, selected } = picked;
      manifest = await exportLibrary({ specs: c.images, selected, from: o.from, out, sourceDateEpoch: epoch, date: o.date, platforms: o.platforms, log });
    }
    const commits = new Map<string, string>();
    let branches: { branch: string; commit: string; changed: boolean }[] = [];
    if (o.commitTo) {
      branches = (await commitLayout(out, resolve(o.commitTo))).commits;
      for (const b of branches) {
        commits.set(b.branch, b.commit);
        log(`${b.changed ? 'committed' : 'unchanged'} refs/heads/${b.branch} ${b.commit}`);
      }
    } else if (o.gitCommit) for (const e of manifest.entries) commits.set(e.release, o.gitCommit);
    let libraryFile: string | undefined;
    if (commits.size) {
      libraryFile = writeLibraryFile(out, manifest, commits);
      log(`wrote ${out}/library/${manifest.library}`);
    } else log(`no library file yet: its GitCommit lines need the release branches' commits (--commit-to REPO, or --git-commit SHA)`);
    if (o.json) printJson({ ok: true, out, library: manifest.library, entries: manifest.entries, branches, libraryFile: libraryFile ?? null });
    else if (libraryFile) process.stdout.write(libraryFile);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof LibraryError || e instanceof OciLayoutError || e instanceof RootfsError || e instanceof GitError || e instanceof ExecError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e instanceof LibraryError ? EXIT.failed : EXIT.environment;
    }
    throw e;
  }
}

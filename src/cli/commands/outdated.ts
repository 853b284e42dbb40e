// `almac outdated [SELECTOR…]`: which images need a rebuild, and why. Each image's package set (its
// lock in generated/locks/; with `--published`, the SBOM its published image carries in the registry;
// or `--package-set IMAGE=FILE`: a build manifest or CycloneDX SBOM) is compared with the repositories' current metadata (primary + updateinfo). Exit 0: nothing to
// rebuild; 100: at least one image has a qualifying update (like `dnf check-update`).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockPath } from '../../lock/lockfile.js';
import type { ImageSpec, PlatformInfo } from '../../model/spec.js';
import { findUpdates, SEVERITIES, type Filter, type Severity } from '../../outdated/compare.js';
import { PackageSetError, readPackageSet, type PackageSet } from '../../outdated/package-sets.js';
import { readPublishedPackageSet } from '../../outdated/published.js';
import { CommandFailed, type Runner } from '../../publish/oci.js';
import { parseRegistryMap, RegistryMapError, type RegistryMapping } from '../../publish/registry-map.js';
import { readRepoMetadata, RepoMetadataError, type RepoMetadata } from '../../outdated/repo-metadata.js';
import { rebuildList, renderMarkdown, renderText, type ImageReport } from '../../outdated/report.js';
import { GENERATED_DIR } from '../../project.js';
import { EXIT, printJson } from '../io.js';
import { compileSelected } from '../compile-selected.js';
import { hostPlatform, parseRepoOverrides } from './lock.js';

export const EXIT_REBUILD = 100;

export interface OutdatedOptions {
  root: string;
  selectors: string[];
  platforms: string[];
  repos: string[];
  packageSets: string[];
  /** Read each image's package set from its published image's SBOM instead of its lock. */
  published: boolean;
  registryMaps: string[];
  /** Also write the JSON report (as --json prints it) to this file, whatever --format says. */
  jsonFile?: string;
  severity?: string;
  security: boolean;
  format: 'text' | 'markdown' | 'json' | 'list';
}

function fillRepoUrl(url: string, spec: ImageSpec, basearch: string): string {
  return url.replace(/\$releasever\b/g, spec.releasever).replace(/\$basearch\b/g, basearch);
}

export async function runOutdated(o: OutdatedOptions): Promise<number> {
  const fail = (code: number, msg: string) => {
    process.stderr.write(`error: ${msg}\n`);
    return code;
  };
  const overrides = parseRepoOverrides(o.repos);
  if (typeof overrides === 'string') return fail(EXIT.usage, overrides);
  let severity: Severity | undefined;
  if (o.severity !== undefined) {
    severity = SEVERITIES.find((s) => s === o.severity!.toLowerCase());
    if (!severity) return fail(EXIT.usage, `--severity takes one of ${SEVERITIES.join(', ')}, not \`${o.severity}\``);
  }
  const filter: Filter = { security: o.security, severity };
  let map: RegistryMapping[];
  try {
    map = parseRegistryMap(o.registryMaps);
  } catch (e) {
    if (e instanceof RegistryMapError) return fail(EXIT.usage, e.message);
    throw e;
  }
  if (map.length && !o.published) return fail(EXIT.usage, '--registry-map applies only to --published (it redirects where the published images are read from)');
  const given = new Map<string, string>();
  for (const v of o.packageSets) {
    const m = /^([^=]+)=(.+)$/.exec(v);
    if (!m) return fail(EXIT.usage, `--package-set takes IMAGE=FILE (e.g. 9/minimal=manifest.txt), not \`${v}\``);
    given.set(m[1]!, m[2]!);
  }
  const picked = compileSelected(o.root, o.selectors, { json: o.format === 'json', alsoNamed: [...given.keys()] });
  if (typeof picked === 'number') return picked;
  const { compilation: c, selected } = picked;
  const wanted = o.platforms.length ? o.platforms : [hostPlatform()];
  const jobs: { spec: ImageSpec; platform: PlatformInfo; file?: string }[] = [];
  const missing: string[] = [];
  for (const spec of selected) {
    for (const p of spec.platforms.filter((x) => wanted.includes(x.name))) {
      if (o.published && !given.has(spec.id)) {
        jobs.push({ spec, platform: p });
        continue;
      }
      const file = given.get(spec.id) ?? join(o.root, GENERATED_DIR, lockPath(spec, p));
      if (!existsSync(file)) missing.push(`${spec.id} (${p.name}): no ${given.has(spec.id) ? file : `lock ${GENERATED_DIR}/${lockPath(spec, p)}`}`);
      else jobs.push({ spec, platform: p, file });
    }
  }
  if (missing.length) return fail(EXIT.environment, `no package set to compare for:\n  ${missing.join('\n  ')}\nrun \`almac lock ${[...new Set(missing.map((m) => m.split(' ')[0]))].join(' ')}\`, compare with the published images (--published), or give --package-set IMAGE=FILE`);
  if (!jobs.length) return fail(EXIT.usage, `none of the selected images is built for ${wanted.join(', ')}`);

  const cache = new Map<string, Promise<RepoMetadata>>();
  const metadata = (id: string, url: string) => {
    if (!cache.has(url)) cache.set(url, readRepoMetadata(id, url));
    return cache.get(url)!;
  };
  const runner: Runner = { env: process.env as Record<string, string>, log: () => undefined, dryRun: false };
  const retry = { attempts: 3, backoffMs: 500 };
  const shown = (file: string) => (file.startsWith(o.root) ? file.slice(o.root.length).replace(/^\/+/, '') : file);
  const reports: ImageReport[] = [];
  try {
    for (const j of jobs) {
      let set: PackageSet;
      let source: string;
      if (j.file) {
        set = readPackageSet(j.file);
        source = `${set.kind} ${shown(j.file)}`;
      } else {
        const published = await readPublishedPackageSet(runner, j.spec, j.platform, { map, retry });
        if (!published.found) {
          reports.push({ image: j.spec.id, platform: j.platform.name, source: `published ${published.reference}`, needsRebuild: true, unpublished: published.reason, updates: [] });
          continue;
        }
        set = published.set;
        source = `sbom ${published.sbomReference}`;
      }
      const repos = overrides.length
        ? overrides.map((r) => ({ id: r.id, url: r.url }))
        : j.spec.repositories.filter((r) => r.enabled).map((r) => {
            if (!r.baseurl) throw new RepoMetadataError(`repository ${r.id} of ${j.spec.id} has no baseurl (mirrorlists are not read); give --repo ${r.id}=URL`);
            return { id: r.id, url: fillRepoUrl(r.baseurl, j.spec, j.platform.basearch) };
          });
      const meta = await Promise.all(repos.map((r) => metadata(r.id, r.url)));
      const updates = findUpdates(set.packages, meta, filter);
      reports.push({ image: j.spec.id, platform: j.platform.name, source, needsRebuild: updates.some((u) => u.qualifies), updates });
    }
  } catch (e) {
    if (e instanceof RepoMetadataError || e instanceof PackageSetError) return fail(EXIT.environment, e.message);
    if (e instanceof CommandFailed) return fail(EXIT.environment, `reading the published image: ${e.message}`);
    throw e;
  }
  const rebuild = rebuildList(reports);
  const json = { ok: true, filter: { security: filter.security, severity: filter.severity ?? null }, rebuild, images: reports };
  if (o.jsonFile) {
    try {
      writeFileSync(o.jsonFile, JSON.stringify(json, null, 2) + '\n');
    } catch (e) {
      return fail(EXIT.environment, `cannot write --json-file ${o.jsonFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (o.format === 'json') printJson(json);
  else if (o.format === 'markdown') process.stdout.write(renderMarkdown(reports, filter));
  else if (o.format === 'list') process.stdout.write(rebuild.map((r) => r + '\n').join(''));
  else process.stdout.write(renderText(reports, filter));
  return rebuild.length ? EXIT_REBUILD : EXIT.ok;
}

// `almac publish [SELECTOR…]`: push what `almac build` built — one manifest list per image, to
// every reference its definition names — and an SBOM per platform. See src/publish/.
import { join, resolve } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../../model/spec.js';
import { openEngine } from '../../runner/engine/open.js';
import type { Runner } from '../../publish/oci.js';
import { checkPlatformImage, findImageId, localTag, type CheckedPlatform } from '../../publish/platform-images.js';
import { publishImage, type ImageResult } from '../../publish/publish.js';
import { runDate } from '../../publish/references.js';
import { parseRegistryMap } from '../../publish/registry-map.js';
import { EXIT, printJson } from '../io.js';
import { compileSelected } from '../compile-selected.js';

export interface PublishOptions {
  root: string;
  selectors: string[];
  /** [] or ['all']: every platform of each image; else these platforms. */
  platforms: string[];
  registryMap: string[];
  dryRun: boolean;
  json: boolean;
  buildDir: string;
  store?: string;
  retries: number;
  backoffMs: number;
}

function list(v: unknown): string[] {
  const a = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return a.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

export async function runPublishVerb(a: Record<string, unknown> & { root: string; json: boolean }): Promise<number> {
  return runPublish({
    root: a.root,
    selectors: list(a['selectors']),
    platforms: list(a['platform']),
    registryMap: (Array.isArray(a['registryMap']) ? a['registryMap'] : a['registryMap'] ? [a['registryMap']] : []).map(String),
    dryRun: Boolean(a['dryRun']),
    json: a.json,
    buildDir: String(a['buildDir'] ?? '.almac/build'),
    ...(a['store'] ? { store: String(a['store']) } : {}),
    retries: Number(a['retries'] ?? 3),
    backoffMs: Number(a['backoffMs'] ?? 500),
  });
}

function platformsOf(spec: ImageSpec, want: string[]): PlatformInfo[] {
  if (!want.length || want.includes('all')) return spec.platforms;
  return spec.platforms.filter((p) => want.some((w) => p.name === w || p.name === `linux/${w}`));
}

export async function runPublish(o: PublishOptions): Promise<number> {
  const err = (s: string) => process.stderr.write(s);
  let map;
  let date;
  try {
    map = parseRegistryMap(o.registryMap);
    date = runDate();
  } catch (e) {
    err(`error: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const picked = compileSelected(o.root, o.selectors, { json: o.json, err });
  if (typeof picked === 'number') return picked;
  const { compilation: c, selected } = picked;
  const buildDir = resolve(o.root, o.buildDir);
  const engine = await openEngine({ name: 'podman', store: o.store ?? join(buildDir, 'engine'), write: false });
  const lines: string[] = [];
  const r: Runner = { env: engine.env, engine, dryRun: o.dryRun, log: (l) => { if (o.dryRun) lines.push(l); } };
  const retry = { attempts: Math.max(1, o.retries), backoffMs: o.backoffMs };
  const buildDate = new Date(Date.UTC(Number(date.date.slice(0, 4)), Number(date.date.slice(4, 6)) - 1, Number(date.date.slice(6, 8))));
  const results: ImageResult[] = [];
  for (const spec of selected) {
    if (!spec.publish.length) continue;
    const plats = platformsOf(spec, o.platforms);
    const images: CheckedPlatform[] = [];
    const missing: string[] = [];
    for (const p of plats) {
      const tag = localTag(spec, p);
      const id = o.dryRun ? tag : await findImageId(engine, tag);
      if (!id) {
        missing.push(p.name);
        continue;
      }
      if (o.dryRun) {
        images.push({ platform: p, imageId: tag, identity: 'not checked (dry run)' });
        continue;
      }
      try {
        images.push(await checkPlatformImage(engine, spec, p, id, { buildDir, date: buildDate }));
      } catch (e) {
        missing.push(`${p.name} (${(e as Error).message})`);
      }
    }
    if (missing.length) {
      results.push({ image: spec.id, platforms: [], digest: null, references: [], error: `not published: ${missing.length === plats.length && !missing.some((m) => m.includes('(')) ? 'not built' : 'platforms missing or failing their identity check'}: ${missing.join(', ')}; build with \`almac build ${spec.id} --platform ${plats.map((p) => p.name).join(',')}\`` });
      continue;
    }
    results.push(await publishImage(r, { spec, images }, { date: date.date, map, workDir: join(buildDir, 'publish'), retry }));
  }
  const ok = results.every((x) => !x.error && x.references.every((ref) => ref.outcome !== 'failed'));
  if (o.dryRun && !o.json) {
    process.stdout.write(`# almac publish --dry-run: {date} = ${date.date} (${date.source})\n${lines.join('\n')}\n`);
  } else if (o.json) {
    printJson({ ok, date: date.date, dryRun: o.dryRun, images: results, ...(o.dryRun ? { commands: lines } : {}) });
  } else {
    for (const x of results) {
      process.stdout.write(`${x.image}${x.digest ? `  ${x.digest}` : ''}${x.platforms.length ? `  [${x.platforms.map((p) => p.platform).join(', ')}]` : ''}\n`);
      if (x.error) process.stdout.write(`  error: ${x.error}\n`);
      for (const ref of x.references) process.stdout.write(`  ${ref.outcome.padEnd(8)} ${ref.reference}${ref.error ? `  — ${ref.error}` : ''}\n`);
    }
    const n = (k: string) => results.reduce((s, x) => s + x.references.filter((ref) => ref.outcome === k).length, 0);
    process.stdout.write(`${results.length} image(s): ${n('pushed')} pushed, ${n('skipped')} already up to date, ${n('failed')} failed (${'{date}'} = ${date.date})\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

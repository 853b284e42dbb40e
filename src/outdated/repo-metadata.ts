// A repository's current metadata, read directly: repodata/repomd.xml → primary (every package's
// name, arch, epoch, version, release) and updateinfo (advisories and the packages they fix).
// Repositories are a directory, a file:// URL or an http(s):// URL.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import type { Evr } from './evr.js';

export class RepoMetadataError extends Error {}

export interface RepoPackage extends Evr {
  name: string;
  arch: string;
}

export interface Advisory {
  id: string;
  type: string;
  severity?: string;
  title?: string;
  issued?: string;
  packages: RepoPackage[];
}

export interface RepoMetadata {
  id: string;
  url: string;
  packages: RepoPackage[];
  advisories: Advisory[];
}

const ARRAYS = new Set(['metadata.package', 'repomd.data', 'updates.update', 'updates.update.pkglist.collection', 'updates.update.pkglist.collection.package']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (_n, path) => ARRAYS.has(path), parseTagValue: false, parseAttributeValue: false });

async function readUrl(base: string, rel: string): Promise<Buffer> {
  const url = base.replace(/\/+$/, '') + '/' + rel;
  if (/^https?:\/\//.test(url)) {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new RepoMetadataError(`cannot fetch ${url}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new RepoMetadataError(`cannot fetch ${url}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RepoMetadataError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function decompress(name: string, data: Buffer): string {
  if (name.endsWith('.gz')) return gunzipSync(data).toString('utf8');
  const tool = name.endsWith('.xz') ? 'xz' : name.endsWith('.zst') ? 'zstd' : name.endsWith('.bz2') ? 'bzip2' : undefined;
  if (!tool) return data.toString('utf8');
  const r = spawnSync(tool, ['-dc'], { input: data, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new RepoMetadataError(`cannot decompress ${name} with ${tool}: ${r.error?.message ?? r.stderr.toString().trim()}`);
  return r.stdout.toString('utf8');
}

type Attrs = Record<string, string>;
const evrOf = (a: Attrs): Evr => ({ epoch: Number(a['epoch'] ?? 0) || 0, version: a['ver'] ?? a['version'] ?? '', release: a['rel'] ?? a['release'] ?? '' });

export async function readRepoMetadata(id: string, url: string): Promise<RepoMetadata> {
  const repomd = parser.parse((await readUrl(url, 'repodata/repomd.xml')).toString('utf8')) as { repomd?: { data?: { type: string; location: Attrs }[] } };
  const data = repomd.repomd?.data;
  if (!data) throw new RepoMetadataError(`${url}: repodata/repomd.xml is not repository metadata`);
  const href = (type: string) => data.find((d) => d.type === type)?.location?.['href'];
  const primaryHref = href('primary');
  if (!primaryHref) throw new RepoMetadataError(`${url}: repomd.xml lists no primary metadata`);
  const primary = parser.parse(decompress(primaryHref, await readUrl(url, primaryHref))) as { metadata?: { package?: { name: string; arch: string; version: Attrs }[] } };
  const packages = (primary.metadata?.package ?? []).map((p) => ({ name: String(p.name), arch: String(p.arch), ...evrOf(p.version) }));
  const advisories: Advisory[] = [];
  const uiHref = href('updateinfo');
  if (uiHref) {
    type U = { type?: string; id: string; title?: string; severity?: string; issued?: Attrs; pkglist?: { collection?: { package?: Attrs[] }[] } };
    const ui = parser.parse(decompress(uiHref, await readUrl(url, uiHref))) as { updates?: { update?: U[] } | '' };
    const updates = typeof ui.updates === 'object' ? ui.updates.update ?? [] : [];
    for (const u of updates) {
      advisories.push({
        id: String(u.id),
        type: u.type ?? 'unspecified',
        severity: u.severity ? String(u.severity) : undefined,
        title: u.title ? String(u.title) : undefined,
        issued: u.issued?.['date'],
        packages: (u.pkglist?.collection ?? []).flatMap((c) => c.package ?? []).map((p) => ({ name: p['name'] ?? '', arch: p['arch'] ?? '', ...evrOf(p) })),
      });
    }
  }
  return { id, url, packages, advisories };
}

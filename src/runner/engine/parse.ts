// What engines print, as data: image listings, inspect output, names. Pure functions.
import type { ImageInfo, ImageRecord } from './types.js';

/** The non-empty lines of a listing such as `ps -q` or `containers -q` prints (ids, one per line), trimmed. */
export function parseLines(text: string | null | undefined): string[] {
  return (text ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
}

function envListToRecord(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (typeof e !== 'string') continue;
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

function strArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function strRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `podman image inspect` / `docker image inspect` JSON (an array; the first element is used). */
export function parseImageInspect(json: string): ImageInfo {
  const v: unknown = JSON.parse(json);
  const o = (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object') throw new Error('image inspect: no image in output');
  const cfg = (o['Config'] ?? {}) as Record<string, unknown>;
  const rootfs = (o['RootFS'] ?? {}) as Record<string, unknown>;
  const info: ImageInfo = {
    id: String(o['Id'] ?? ''),
    size: typeof o['Size'] === 'number' ? o['Size'] : 0,
    env: envListToRecord(cfg['Env']),
    labels: strRecord(cfg['Labels']),
    layers: Array.isArray(rootfs['Layers']) ? rootfs['Layers'].length : 0,
    repoTags: strArray(o['RepoTags']) ?? [],
  };
  const set = <K extends keyof ImageInfo>(k: K, val: ImageInfo[K] | undefined): void => {
    if (val !== undefined) info[k] = val;
  };
  set('created', optStr(o['Created']));
  set('architecture', optStr(o['Architecture']));
  set('os', optStr(o['Os']));
  set('cmd', strArray(cfg['Cmd']));
  set('entrypoint', strArray(cfg['Entrypoint']));
  set('stopSignal', optStr(cfg['StopSignal']));
  set('workingDir', optStr(cfg['WorkingDir']));
  set('user', optStr(cfg['User']));
  return info;
}

/** `buildah inspect --type image` JSON (its Docker/OCIv1 sections). Size is not in it (see inspect()). */
export function parseBuildahInspect(json: string): ImageInfo {
  const o = JSON.parse(json) as Record<string, unknown>;
  const oci = (o['OCIv1'] ?? {}) as Record<string, unknown>;
  const docker = (o['Docker'] ?? {}) as Record<string, unknown>;
  const cfg = ((docker['config'] ?? oci['config']) ?? {}) as Record<string, unknown>;
  const rootfs = (oci['rootfs'] ?? {}) as Record<string, unknown>;
  const env: Record<string, string> = {};
  for (const e of Array.isArray(cfg['Env']) ? cfg['Env'] : []) {
    if (typeof e === 'string' && e.indexOf('=') > 0) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((cfg['Labels'] ?? {}) as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
  const arr = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
  const info: ImageInfo = {
    id: String(o['FromImageID'] ?? ''),
    size: 0,
    env,
    labels,
    layers: Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'].length : 0,
    repoTags: typeof o['FromImage'] === 'string' ? [o['FromImage']] : [],
  };
  const cmd = arr(cfg['Cmd']);
  if (cmd) info.cmd = cmd;
  const ep = arr(cfg['Entrypoint']);
  if (ep) info.entrypoint = ep;
  if (typeof cfg['StopSignal'] === 'string' && cfg['StopSignal']) info.stopSignal = cfg['StopSignal'];
  if (typeof cfg['WorkingDir'] === 'string' && cfg['WorkingDir']) info.workingDir = cfg['WorkingDir'];
  if (typeof cfg['User'] === 'string' && cfg['User']) info.user = cfg['User'];
  if (typeof oci['architecture'] === 'string') info.architecture = oci['architecture'];
  if (typeof oci['os'] === 'string') info.os = oci['os'];
  if (typeof oci['created'] === 'string') info.created = oci['created'];
  return info;
}

/** `name[:tag]` → the names an engine may list it under (short names are qualified as podman does). */
export function candidateNames(ref: string): string[] {
  const withTag = /:[^/]+$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`;
  const first = withTag.split('/')[0]!;
  const qualified = withTag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (qualified) return [withTag];
  return [withTag, `localhost/${withTag}`, `docker.io/${withTag}`, ...(withTag.includes('/') ? [] : [`docker.io/library/${withTag}`])];
}

/** Finds `ref` (a name or an id / id prefix of ≥ 12 hex digits) in a listing. */
export function findImage(images: ImageRecord[], ref: string): ImageRecord | undefined {
  const r = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{12,64}$/.test(r)) {
    const byId = images.find((i) => i.id.startsWith(r));
    if (byId) return byId;
  }
  for (const n of candidateNames(ref)) {
    const hit = images.find((i) => i.names.includes(n));
    if (hit) return hit;
  }
  return undefined;
}

/** "4.4 MB" / "251 kB" (decimal units) → bytes. */
export function parseSize(s: string): number {
  const m = /^\s*([\d.]+)\s*([kMGT]?B)\s*$/i.exec(s);
  if (!m) return 0;
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
  return Math.round(Number(m[1]) * (mult[m[2]!.toLowerCase()] ?? 1));
}

/** `podman images --format json`. */
export function parsePodmanImages(json: string): ImageRecord[] {
  const list = JSON.parse(json || '[]') as { Id?: string; Names?: string[] | null; Size?: number }[] | null;
  return (list ?? []).map((i) => ({ id: String(i.Id ?? '').replace(/^sha256:/, ''), names: i.Names ?? [], size: i.Size ?? 0 }));
}

/** `buildah images --json --no-trunc` (sizes are human-readable there). */
export function parseBuildahImages(json: string): ImageRecord[] {
  const list = JSON.parse(json || '[]') as { id?: string; names?: string[] | null; size?: string }[] | null;
  return (list ?? []).map((i) => ({ id: String(i.id ?? '').replace(/^sha256:/, ''), names: i.names ?? [], size: i.size ? parseSize(i.size) : 0 }));
}

/** `docker images -a --no-trunc --format '{{json .}}'`: one line per name; untagged images too. */
export function parseDockerImages(text: string): ImageRecord[] {
  const byId = new Map<string, ImageRecord>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Record<string, string>;
    const id = String(o['ID'] ?? '').replace(/^sha256:/, '');
    const rec = byId.get(id) ?? { id, names: [], size: 0 };
    if (o['Repository'] && o['Repository'] !== '<none>' && o['Tag'] && o['Tag'] !== '<none>') rec.names.push(`${o['Repository']}:${o['Tag']}`);
    byId.set(id, rec);
  }
  return [...byId.values()];
}

/** What podman lists a short name under (`almac/x:1` → `localhost/almac/x:1`). */
export function qualifyName(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? ref : `localhost/${ref}`;
}

// `--registry-map SRC=DEST`: redirect a declared registry location (or any prefix of a reference)
// to another one, before any engine sees a reference. Podman does not apply registries.conf
// rewriting on push, so this is the only redirection that holds for every engine.
import { REGISTRY_LOCATION } from '../phases/2-analyze/registries.js';

export interface RegistryMapping {
  from: string;
  to: string;
}

export class RegistryMapError extends Error {}

export function parseRegistryMap(entries: string[]): RegistryMapping[] {
  const out: RegistryMapping[] = [];
  for (const e of entries) {
    const i = e.indexOf('=');
    const from = i < 0 ? '' : e.slice(0, i).replace(/\/+$/, '');
    const to = i < 0 ? '' : e.slice(i + 1).replace(/\/+$/, '');
    if (!REGISTRY_LOCATION.test(from) && !/^[a-z0-9.-]+(:[0-9]+)?$/.test(from)) throw new RegistryMapError(`--registry-map ${JSON.stringify(e)}: expected SRC=DEST with SRC a registry location such as docker.io/almalinux`);
    if (!REGISTRY_LOCATION.test(to)) throw new RegistryMapError(`--registry-map ${JSON.stringify(e)}: DEST must be HOST[:PORT]/NAMESPACE in lower case, e.g. 127.0.0.1:5000/almalinux`);
    if (out.some((m) => m.from === from)) throw new RegistryMapError(`--registry-map: ${from} is mapped twice`);
    out.push({ from, to });
  }
  // Longest prefix first, so `quay.io/almalinuxorg` wins over `quay.io`.
  return out.sort((a, b) => b.from.length - a.from.length);
}

/** The location after mapping: the longest mapped prefix ending at a path boundary is replaced. */
export function mapLocation(location: string, map: RegistryMapping[]): string {
  for (const m of map) {
    if (location === m.from || location.startsWith(m.from + '/')) return m.to + location.slice(m.from.length);
  }
  return location;
}

/** Loopback registries are plain HTTP in tests and on developer machines. */
export function isLoopback(reference: string): boolean {
  const host = reference.split('/')[0]!.replace(/:[0-9]+$/, '');
  return host === 'localhost' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host) || host === '[::1]';
}

// Package version changes between two sets of locks of one image. A change that is the same on
// every locked architecture is reported once, by package name; otherwise the locks are named.
import type { LockFile, LockedPackage } from '../lock/lockfile.js';
import type { Change } from './model.js';

/** epoch:version-release, the epoch only when it is not 0 (as rpm -q prints it). */
export function evr(p: LockedPackage): string {
  return `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}

function isPackage(p: unknown): p is LockedPackage {
  const o = p as Record<string, unknown> | null;
  return !!o && typeof o['name'] === 'string' && typeof o['version'] === 'string' && typeof o['release'] === 'string' && typeof o['arch'] === 'string' && (o['epoch'] === undefined || typeof o['epoch'] === 'number');
}

/** name.arch → package, for the well-formed entries of a lock. */
function packagesOf(lock: LockFile): Map<string, LockedPackage> {
  const out = new Map<string, LockedPackage>();
  for (const p of lock.packages) if (isPackage(p)) out.set(`${p.name}.${p.arch}`, p);
  return out;
}

const shortChecksum = (c: string | null | undefined) => (c ? ` (${c.length > 20 ? c.slice(0, 20) + '…' : c})` : '');

export function versionChanges(before: LockFile[], after: LockFile[]): Change[] {
  const byArch = (locks: LockFile[]) => new Map(locks.map((l) => [l.arch, l]));
  const a = byArch(before);
  const b = byArch(after);
  const arches = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lockedEverywhere = arches.filter((x) => a.has(x) && b.has(x));
  const changes: Change[] = [];
  // (kind, package, before, after) → the architectures whose locks show that change.
  const seen = new Map<string, { change: Change; arches: Set<string> }>();
  for (const arch of arches) {
    const la = a.get(arch);
    const lb = b.get(arch);
    if (!la || !lb) {
      changes.push({ category: 'versions', kind: la ? 'removed' : 'added', subject: `lock for ${arch}` });
      continue;
    }
    const pa = packagesOf(la);
    const pb = packagesOf(lb);
    for (const key of [...new Set([...pa.keys(), ...pb.keys()])].sort()) {
      const x = pa.get(key);
      const y = pb.get(key);
      const name = (x ?? y)!.name;
      let change: Change | undefined;
      if (!x) change = { category: 'versions', kind: 'added', subject: name, after: evr(y!) };
      else if (!y) change = { category: 'versions', kind: 'removed', subject: name, before: evr(x) };
      else if (evr(x) !== evr(y)) change = { category: 'versions', kind: 'changed', subject: name, before: evr(x), after: evr(y) };
      else if ((x.checksum ?? null) !== (y.checksum ?? null)) {
        // Same version, different bytes: a rebuild upstream, worth a reviewer's look.
        change = { category: 'versions', kind: 'changed', subject: name, before: evr(x) + shortChecksum(x.checksum), after: evr(y) + shortChecksum(y.checksum) };
      }
      if (!change) continue;
      const id = JSON.stringify([change.kind, change.subject, change.before, change.after]);
      const entry = seen.get(id) ?? { change, arches: new Set<string>() };
      entry.arches.add(arch);
      seen.set(id, entry);
    }
  }
  const packages: Change[] = [];
  for (const { change, arches } of seen.values()) {
    const on = [...arches];
    const everywhere = on.length === lockedEverywhere.length;
    packages.push(everywhere ? change : { ...change, subject: `${change.subject} (in the ${on.join(', ')} lock${on.length === 1 ? '' : 's'})` });
  }
  // By package name: the order a reviewer looks things up in.
  return [...changes, ...packages.sort((x, y) => (x.subject < y.subject ? -1 : x.subject > y.subject ? 1 : 0))];
}

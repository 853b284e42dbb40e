// `almac build --locked`: does a built image hold exactly the packages of its lock?
import type { LockedPackage } from './lockfile.js';

/** rpm's %{NEVRA}: the epoch appears only when it is not 0. */
export function nevra(p: LockedPackage): string {
  return `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;
}

export interface LockComparison {
  ok: boolean;
  /** In the lock but not in the image. */
  missing: string[];
  /** In the image but not in the lock. */
  unexpected: string[];
}

export function compareWithLock(lock: LockedPackage[], manifest: string[]): LockComparison {
  const want = new Set(lock.map(nevra));
  const have = new Set(manifest);
  const missing = [...want].filter((x) => !have.has(x)).sort();
  const unexpected = [...have].filter((x) => !want.has(x)).sort();
  return { ok: !missing.length && !unexpected.length, missing, unexpected };
}

export function describeComparison(c: LockComparison): string {
  const parts: string[] = [];
  if (c.missing.length) parts.push(`not in the image: ${c.missing.join(', ')}`);
  if (c.unexpected.length) parts.push(`not in the lock: ${c.unexpected.join(', ')}`);
  return parts.join('; ');
}

// An image root as comparable data: every path with its type, mode, owner, and the sha256 of its
// content (regular files) or its target (symlinks). Used to compare the roots that two engines built.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeEntry {
  path: string;
  type: 'f' | 'd' | 'l' | 'c' | 'b' | 'p' | 's';
  mode: string;
  owner: string;
  /** sha256 of a regular file's content, a symlink's target, major:minor of a device */
  content: string;
}

export function readTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const base = { path: rel || '/', mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), owner: `${st.uid}:${st.gid}` };
    if (st.isSymbolicLink()) out.push({ ...base, type: 'l', content: readlinkSync(abs) });
    else if (st.isDirectory()) {
      out.push({ ...base, type: 'd', content: '' });
      for (const e of readdirSync(abs).sort()) walk(`${rel}/${e}`);
    } else if (st.isFile()) out.push({ ...base, type: 'f', content: createHash('sha256').update(readFileSync(abs)).digest('hex') });
    else {
      const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : 's';
      out.push({ ...base, type, content: type === 'c' || type === 'b' ? `${Math.floor(st.rdev / 256)}:${st.rdev % 256}` : '' });
    }
  };
  walk('');
  return out;
}

/** What differs between two trees, one line per path; `mayDiffer` names paths whose content may differ. */
export function treeDifferences(a: TreeEntry[], b: TreeEntry[], labels: [string, string], mayDiffer: RegExp[] = []): string[] {
  const show = (e?: TreeEntry): string => (e ? `${e.type} ${e.mode} ${e.owner} ${e.content}` : '(absent)');
  const ia = new Map(a.map((e) => [e.path, e]));
  const ib = new Map(b.map((e) => [e.path, e]));
  const out: string[] = [];
  for (const p of [...new Set([...ia.keys(), ...ib.keys()])].sort()) {
    const x = ia.get(p);
    const y = ib.get(p);
    if (x && y && x.type === y.type && x.mode === y.mode && x.owner === y.owner) {
      if (x.content === y.content) continue;
      if (x.type === 'f' && mayDiffer.some((r) => r.test(p))) continue;
    }
    out.push(`${p}: ${labels[0]}=${show(x)} ${labels[1]}=${show(y)}`);
  }
  return out;
}

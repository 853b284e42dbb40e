// The plain way of comparing generated/ with what the definitions produce: read the whole tree into
// a Map, then diff two Maps. almac itself compares file by file (src/output/tree-compare.ts); tests
// hold that against this, and use readTree to read back what a run left.
import type { TreeDiff } from '../../src/output/generated-tree.js';
import { scanTree } from '../../src/output/tree-scan.js';

/**
 * generated/ as readTree reads it is a plain Map: each regular file's text, and for every other
 * entry a stand-in (NUL and what the entry is). What is wrong with the mode of a file or directory
 * is kept beside the map (treeModes), so the map compares as its files.
 */
const MODES = new WeakMap<Map<string, string>, Map<string, string>>();

/** For a tree from readTree: the files and directories ("x/", "" for the top) with a wrong mode, and what is wrong. */
export const treeModes = (tree: Map<string, string>): Map<string, string> => MODES.get(tree) ?? new Map();

/** Every entry under dir (see above), sorted by path (UTF-16 code unit order). */
export function readTree(dir: string): Map<string, string> {
  const files: [string, string][] = [];
  const scan = scanTree(dir, (path, bytes) => files.push([path, bytes.toString('utf8')]));
  for (const [path, what] of scan.standIns) files.push([path, `\0${what}`]);
  const tree = new Map(files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  if (scan.modes.size) MODES.set(tree, scan.modes);
  return tree;
}

/**
 * What generate would change: files to add, files whose text or mode differs (and directories
 * whose mode does, as "dir/"), and entries no definition produces.
 */
export function diffTrees(current: Map<string, string>, wanted: Map<string, string>): TreeDiff {
  const d: TreeDiff = { added: [], changed: [], removed: [] };
  const modes = treeModes(current);
  for (const [p, text] of wanted) {
    const cur = current.get(p);
    if (cur === undefined) d.added.push(p);
    else if (cur !== text || modes.has(p)) d.changed.push(p);
  }
  for (const p of current.keys()) if (!wanted.has(p)) d.removed.push(p);
  for (const p of modes.keys()) if (!current.has(p)) d.changed.push(p);
  for (const k of ['added', 'changed', 'removed'] as const) d[k].sort();
  return d;
}

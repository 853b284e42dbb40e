// The axes of a project: the names of its releases, platforms and registries, which conditions and
// settings anywhere are checked against. Pass 1 of the analysis collects them from the syntax trees
// (collectAxes) before pass 2 checks any file.
//
// guessAxes reads them ahead from the text, before anything is parsed, so that a compile can parse,
// analyse and drop one file at a time (project.ts): with the axes known up front, no file's tree has
// to wait for the others'. The guess is only a guess (a line inside a text block can look like a
// declaration): the compile checks it against what the trees declare and, when they differ,
// analyses the files again against those, so the guess decides how long a compile takes, never
// what it finds.
import type { SourceFile } from '../../model/ast.js';
import type { Axes } from './conditions.js';

export type { Axes } from './conditions.js';

export const noAxes = (): Axes => ({ releases: new Set(), platforms: new Set(), registries: new Set() });

/** Pass 1 for one file: the axes its top-level statements declare, added to `into`. */
export function collectAxes(f: SourceFile, into: Axes): Axes {
  for (const n of f.nodes) {
    if (n.kind !== 'statement' || n.args[0]?.kind !== 'word') continue;
    if (n.name === 'release') into.releases.add(n.args[0].text);
    else if (n.name === 'platform') into.platforms.add(n.args[0].text);
    else if (n.name === 'registry') into.registries!.add(n.args[0].text);
  }
  return into;
}

/** A line that starts a declaration: its keyword and name (a word: up to a space or a character that ends words). */
const DECLARATION = /^[ \t]*(release|platform|registry)[ \t]+([^ \t\r\n"#{}[\],=<>!()]+)/gm;

/** The axes the texts seem to declare (see above). */
export function guessAxes(texts: Iterable<string>): Axes {
  const axes = noAxes();
  for (const text of texts) {
    for (const m of text.matchAll(DECLARATION)) {
      (m[1] === 'release' ? axes.releases : m[1] === 'platform' ? axes.platforms : axes.registries!).add(m[2]!);
    }
  }
  return axes;
}

const sameSet = (a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean => (a?.size ?? 0) === (b?.size ?? 0) && [...(a ?? [])].every((x) => b!.has(x));

export const sameAxes = (a: Axes, b: Axes): boolean => sameSet(a.releases, b.releases) && sameSet(a.platforms, b.platforms) && sameSet(a.registries, b.registries);

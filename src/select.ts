// Image selectors, shared by every verb that takes them (print, lock, build): `9/minimal`,
// `minimal` (every release), `9` (every image of a release); no selector selects everything.
// Kept free of compiler imports so that a no-op `almac build` stays cheap to start.
import type { ImageSpec } from './model/spec.js';
import { didYouMean } from './util/suggest.js';

export function selectImages(images: ImageSpec[], selectors: string[]): { selected: ImageSpec[]; unknown: string[] } {
  if (!selectors.length) return { selected: images, unknown: [] };
  const unknown: string[] = [];
  const picked = new Set<ImageSpec>();
  for (const sel of selectors) {
    const hits = images.filter((s) => s.id === sel || s.image === sel || s.release === sel);
    if (!hits.length) unknown.push(sel);
    for (const h of hits) picked.add(h);
  }
  return { selected: images.filter((s) => picked.has(s)), unknown };
}

export function suggestSelector(images: ImageSpec[], sel: string): string {
  const cands = new Set(images.flatMap((s) => [s.id, s.image, s.release]));
  return didYouMean(sel, cands) ?? `known: ${[...new Set(images.map((s) => s.image))].join(', ')} × releases ${[...new Set(images.map((s) => s.release))].join(', ')}`;
}

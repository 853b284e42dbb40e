// Values that every image reaching them shares (phase 3): where an item was written, the steps of
// operations, platform sets and platform descriptions. A fragment used by thousands of images would
// otherwise make thousands of equal objects of each; equal platform sets being one object is also
// what lets the renderer compare them by identity (4-render/runs.ts).
import type { Span } from '../../diagnostics/diagnostic.js';
import type { PlatformDecl } from '../../model/checked.js';
import type { Origin, PlatformInfo, Step } from '../../model/spec.js';

/**
 * Where an item was written: one frozen object per file and line, shared by every image the item
 * reaches (a fragment used by thousands of images would otherwise make thousands of equal
 * objects). Keyed by value, not by span: an origin holds nothing but the file and the line.
 */
const origins = new Map<string, Origin[]>();
export const origin = (s: Span): Origin => {
  let byLine = origins.get(s.file);
  if (!byLine) origins.set(s.file, (byLine = []));
  return (byLine[s.line] ??= Object.freeze({ file: s.file, line: s.line }));
};

/**
 * The steps and platforms of images are shared the same way: one frozen Step per (operation,
 * group, platforms) and one frozen platform set per list of platforms, whatever the number of
 * images that reach them (a fragment used by thousands of images would otherwise make a Step per
 * image for each of its steps). Equal platform sets are one object (runs.ts's guards compare them).
 */
interface StepsOf {
  /** The step on every platform of the image, in the group that wrote it first (most have one). */
  group: string;
  everywhere?: Step;
  /** Steps on every platform in other groups (a fragment's operation reached through another). */
  otherGroups?: Map<string, Step>;
  /** Steps on some platforms only, by group, then by the platforms' names joined with spaces. */
  some?: Map<string, Map<string, Step>>;
}
const sharedSteps = new WeakMap<Step['operation'], StepsOf>();
const platformSets = new Map<string, NonNullable<Step['when']>>();
const platformInfos = new WeakMap<PlatformDecl, PlatformInfo>();

export function sharedStep(operation: Step['operation'], platforms: string[] | undefined, span: Span, group: string): Step {
  let of = sharedSteps.get(operation);
  if (!of) sharedSteps.set(operation, (of = { group }));
  if (!platforms) {
    if (of.group === group) return (of.everywhere ??= Object.freeze({ operation, when: undefined, origin: origin(span), group }));
    let step = (of.otherGroups ??= new Map()).get(group);
    if (!step) of.otherGroups.set(group, (step = Object.freeze({ operation, when: undefined, origin: origin(span), group })));
    return step;
  }
  of.some ??= new Map();
  let bySet = of.some.get(group);
  if (!bySet) of.some.set(group, (bySet = new Map()));
  const setKey = platforms.join(' ');
  let step = bySet.get(setKey);
  if (!step) {
    let when = platformSets.get(setKey);
    if (!when) platformSets.set(setKey, (when = Object.freeze({ platforms: Object.freeze(platforms) as string[] })));
    bySet.set(setKey, (step = Object.freeze({ operation, when, origin: origin(span), group })));
  }
  return step;
}

export const platformInfo = (p: PlatformDecl): PlatformInfo => {
  let info = platformInfos.get(p);
  if (!info) platformInfos.set(p, (info = Object.freeze({ name: p.name, basearch: p.basearch, uname: p.uname })));
  return info;
};

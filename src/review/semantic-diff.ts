// The semantic diff of two sets of resolved images: what a reviewer needs to know about each
// release × image, independent of how the definitions are laid out or where a line moved to.
import type { LockFile } from '../lock/lockfile.js';
import type { ImageSpec, KickstartSettings } from '../model/spec.js';
import type { Change, ImageDiff } from './model.js';
import { reviewSteps, stableJson, type ReviewStep } from './operations.js';
import { versionChanges } from './versions.js';
import { pushAll } from '../util/arrays.js';

export interface ImageSet {
  images: ImageSpec[];
  locks: Map<string, LockFile[]>;
}

export function diffImageSets(base: ImageSet, head: ImageSet): { images: ImageDiff[]; unchanged: string[] } {
  const before = new Map(base.images.map((s) => [s.id, s]));
  const after = new Map(head.images.map((s) => [s.id, s]));
  const all = [...new Map([...base.images, ...head.images].map((s) => [s.id, s])).values()].sort(compareImages);
  const images: ImageDiff[] = [];
  const unchanged: string[] = [];
  for (const s of all) {
    const a = before.get(s.id);
    const b = after.get(s.id);
    const changes = diffImage(a, b);
    pushAll(changes, versionChanges(base.locks.get(s.id) ?? [], head.locks.get(s.id) ?? []));
    if (a && b && !changes.length) unchanged.push(s.id);
    else images.push({ id: s.id, release: s.release, image: s.image, status: !a ? 'added' : !b ? 'removed' : 'changed', changes });
  }
  return { images, unchanged };
}

/** Release (by releasever, then name), then image name: the order of `almac list`. */
function compareImages(a: ImageSpec, b: ImageSpec): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return Number(a.releasever) - Number(b.releasever) || cmp(a.release, b.release) || cmp(a.image, b.image);
}

/** An image that exists on one side only is compared with nothing: everything it has is listed. */
function diffImage(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const changes = [...packageChanges(a, b), ...operationChanges(a, b), ...configChanges(a, b), ...assertionChanges(a, b), ...platformChanges(a, b), ...namingChanges(a, b)];
  if (a && b) {
    pushAll(changes, settingChanges(a, b));
    // Whatever the categories above do not itemise must not pass as "unchanged".
    if (!changes.length && stableJson(meaning(a)) !== stableJson(meaning(b))) {
      changes.push({ category: 'settings', kind: 'changed', subject: 'resolved image (run `almac print` on both revisions to compare)' });
    }
  }
  return changes;
}

/** The image without where things were written: origins, the fragment a step came from. */
function meaning(s: ImageSpec): unknown {
  return JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === 'origin' || k === 'source' || k === 'group' ? undefined : v)));
}

// ---- assertions ------------------------------------------------------------------------------

/** Assertions by what they check (`package-absent python3`), wherever they were written. */
function assertionChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const key = (s: ImageSpec | undefined) => (s?.assertions ?? []).map((x) => (x.assertion.kind === 'command-output' ? `${x.name} matches ${JSON.stringify(x.assertion.matches)}` : x.name));
  return setChanges('assertions', key(a), key(b), (n) => `assert ${n}`);
}

// ---- packages -------------------------------------------------------------------------------

const PACKAGE_LISTS = ['install', 'exclude', 'remove', 'reinstall'] as const;

function packageChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const out: Change[] = [];
  for (const list of PACKAGE_LISTS) {
    const x = a?.packages[list] ?? [];
    const y = b?.packages[list] ?? [];
    pushAll(out, setChanges('packages', x, y, (n) => `${list} ${n}`));
    if (a && b && sameSet(x, y) && x.join(' ') !== y.join(' ')) {
      // Same packages, new order: the dnf command line in the Containerfile changes, nothing else.
      out.push({ category: 'packages', kind: 'changed', subject: `${list} order`, before: x.join(' '), after: y.join(' ') });
    }
  }
  return out;
}

function sameSet(x: string[], y: string[]): boolean {
  const sx = new Set(x);
  return sx.size === new Set(y).size && y.every((v) => sx.has(v));
}

/** Added items in `after`'s order, then removed ones in `before`'s. */
function setChanges(category: Change['category'], before: string[], after: string[], subject: (item: string) => string): Change[] {
  const sb = new Set(before);
  const sa = new Set(after);
  return [
    ...after.filter((v) => !sb.has(v)).map((v): Change => ({ category, kind: 'added', subject: subject(v) })),
    ...before.filter((v) => !sa.has(v)).map((v): Change => ({ category, kind: 'removed', subject: subject(v) })),
  ];
}

// ---- operations -----------------------------------------------------------------------------

const stepsOf = (s: ImageSpec | undefined): ReviewStep[] => (s ? [...reviewSteps(s.steps, false), ...reviewSteps(s.insideSteps, true)] : []);

/**
 * Steps are a sequence: a longest common subsequence finds the unchanged ones. Within each run of
 * differences, a removed and an added step acting on the same thing (same operation and path or
 * name) are one changed step; the rest are removed or added.
 */
function operationChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const x = stepsOf(a);
  const y = stepsOf(b);
  const out: Change[] = [];
  let removed: ReviewStep[] = [];
  let added: ReviewStep[] = [];
  const flush = () => {
    for (const r of removed) {
      const k = added.findIndex((s) => s.key === r.key);
      if (k < 0) {
        out.push({ category: 'operations', kind: 'removed', subject: r.text });
        continue;
      }
      out.push({ category: 'operations', kind: 'changed', subject: r.key, before: r.text, after: added[k]!.text });
      added.splice(k, 1);
    }
    for (const s of added) out.push({ category: 'operations', kind: 'added', subject: s.text });
    removed = [];
    added = [];
  };
  for (const edit of editScript(x.map((s) => s.identity), y.map((s) => s.identity))) {
    if (edit.kind === 'same') flush();
    else if (edit.kind === 'removed') removed.push(x[edit.index]!);
    else added.push(y[edit.index]!);
  }
  flush();
  return out;
}

type Edit = { kind: 'same' | 'removed' | 'added'; index: number };

/** The edit script of a longest common subsequence (the lists are short: tens of steps). */
export function editScript(x: string[], y: string[]): Edit[] {
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ kind: 'same', index: j });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ kind: 'added', index: j++ });
    } else {
      out.push({ kind: 'removed', index: i++ });
    }
  }
  return out;
}

// ---- config, platforms, naming --------------------------------------------------------------

const shown = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** A value that appeared, disappeared or changed; nothing when it is the same on both sides. */
function valueChange(category: Change['category'], subject: string, x: unknown, y: unknown): Change[] {
  if (stableJson(x ?? null) === stableJson(y ?? null)) return [];
  const before = shown(x);
  const after = shown(y);
  const kind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  return [{ category, kind, subject, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

/** ENV and LABEL: changes per key. */
function pairsChanges(subject: string, x: [string, string][], y: [string, string][]): Change[] {
  const mx = new Map(x);
  const my = new Map(y);
  const keys = [...new Set([...mx.keys(), ...my.keys()])];
  return keys.flatMap((k) => valueChange('config', `${subject} ${k}`, mx.get(k), my.get(k)));
}

function configChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const x = a?.config;
  const y = b?.config;
  return [
    ...valueChange('config', 'CMD', x?.cmd, y?.cmd),
    ...valueChange('config', 'ENTRYPOINT', x?.entrypoint, y?.entrypoint),
    ...pairsChanges('ENV', x?.env ?? [], y?.env ?? []),
    ...pairsChanges('LABEL', x?.labels ?? [], y?.labels ?? []),
    ...valueChange('config', 'STOPSIGNAL', x?.stopsignal, y?.stopsignal),
    ...valueChange('config', 'USER', x?.user, y?.user),
    ...valueChange('config', 'WORKDIR', x?.workdir, y?.workdir),
  ];
}

function platformChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  const x = a?.platforms.map((p) => p.name) ?? [];
  const y = b?.platforms.map((p) => p.name) ?? [];
  const out = setChanges('platforms', x, y, (p) => p);
  if (a && b) {
    if (sameSet(x, y) && x.join(' ') !== y.join(' ')) out.push({ category: 'platforms', kind: 'changed', subject: 'order', before: x.join(' '), after: y.join(' ') });
    const info = (s: ImageSpec) => new Map(s.platforms.map((p) => [p.name, `basearch ${p.basearch}, uname ${p.uname}`]));
    const ix = info(a);
    const iy = info(b);
    for (const [name, v] of iy) if (ix.has(name) && ix.get(name) !== v) out.push({ category: 'platforms', kind: 'changed', subject: name, before: ix.get(name)!, after: v });
  }
  return out;
}

function namingChanges(a: ImageSpec | undefined, b: ImageSpec | undefined): Change[] {
  return [
    ...valueChange('naming', 'repository', a?.naming.repository, b?.naming.repository),
    ...setChanges('naming', a?.naming.tags ?? [], b?.naming.tags ?? [], (t) => `tag ${t}`),
  ];
}

// ---- everything else ------------------------------------------------------------------------

/** Kickstart settings per command, without where they were written (moving a line changes nothing). */
function kickstartChanges(a: KickstartSettings, b: KickstartSettings): [string, unknown, unknown][] {
  const plain = (k: KickstartSettings) =>
    Object.fromEntries(Object.entries(k).map(([key, v]) => [key, Array.isArray(v) ? v.map(({ origin: _where, ...what }: { origin?: unknown }) => what) : v])) as Record<string, unknown>;
  const x = plain(a);
  const y = plain(b);
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [k, x[k], y[k]]);
}

function settingChanges(a: ImageSpec, b: ImageSpec): Change[] {
  const setting = (subject: string, x: unknown, y: unknown) => valueChange('settings', subject, x, y);
  const repoIds = (s: ImageSpec) => s.repositories.map((r) => r.id);
  const byName = <T>(subject: string, xs: T[], ys: T[], name: (t: T) => string, value: (t: T) => unknown) => {
    const mx = new Map(xs.map((t) => [name(t), value(t)]));
    const my = new Map(ys.map((t) => [name(t), value(t)]));
    return [...new Set([...mx.keys(), ...my.keys()])].flatMap((k) => setting(`${subject} ${k}`, mx.get(k), my.get(k)));
  };
  return [
    ...setting('description', a.description, b.description),
    ...setting('ubi', a.ubi, b.ubi),
    ...setting('releasever', a.releasever, b.releasever),
    ...setting('version', a.version, b.version),
    ...setting('builder', a.builder, b.builder),
    ...setting('package manager', a.packageManager, b.packageManager),
    ...setting('weak deps', a.weakDeps, b.weakDeps),
    ...setting('docs', a.docs, b.docs),
    ...setting('install langs', a.installLangs, b.installLangs),
    ...setting('reinstall langs', a.packages.reinstallLangs, b.packages.reinstallLangs),
    ...setting('clean after install', a.cleanAfterInstall, b.cleanAfterInstall),
    ...byName('repository', a.repositories, b.repositories, (r) => r.id, (r) => r),
    ...(sameSet(repoIds(a), repoIds(b)) ? setting('repositories order', repoIds(a).join(' '), repoIds(b).join(' ')) : []),
    ...kickstartChanges(a.kickstart, b.kickstart).flatMap(([k, x, y]) => setting(`kickstart ${k}`, x, y)),
    ...byName('assertion', a.assertions, b.assertions, (n) => n.name, (n) => n.assertion),
    ...setting('outputs', a.outputs, b.outputs),
  ];
}

// Every known, deliberate difference between the upstream Containerfiles and almac's, with the
// reason. The equivalence test applies the `adjust` functions and fails if an entry no longer
// changes anything for an image it lists (a stale excuse), or if any other difference remains.
import type { Atom, Effects } from '../helpers/effects/model.js';

export interface DeliberateDifference {
  name: string;
  /** One line: why almac does it differently, and why that is fine. */
  reason: string;
  /** The images where the difference shows (`release/image`). */
  images: string[];
  /**
   * Brings the two sides together for this difference only (mutating them) and returns whether it
   * had anything to do.
   */
  adjust(upstream: Effects, ours: Effects): boolean;
}

const toolboxes = ['8/toolbox', '9/toolbox', '10/toolbox', '10-kitten/toolbox'];
const isPhase2 = (a: Atom) => a.scope === 'builder' || (a.scope === 'root' && ['install', 'upgrade', 'enable-repos', 'clean-metadata'].includes(a.kind));
const allowErasing = (a: Atom) => a.scope === 'root' && a.kind === 'install' && a.detail.includes('--allowerasing');

/** Removes `ours`' atoms of this kind on these paths; true if there were any. */
function dropOurs(ours: Effects, kind: string, paths: string[]): boolean {
  const before = ours.steps.length;
  ours.steps = ours.steps.filter((a) => !(a.scope === 'root' && a.kind === kind && paths.includes(a.path)));
  return ours.steps.length < before;
}

const allImages = ['8', '9', '10', '10-kitten'].flatMap((r) => ['base', 'default', 'init', 'micro', 'minimal', 'toolbox'].map((i) => `${r}/${i}`));

export const DELIBERATE_DIFFERENCES: DeliberateDifference[] = [
  {
    name: 'mkdir /etc/rpm /etc/dnf/vars before writing into them',
    reason:
      'almac stops at the first failing command; micro installs neither rpm nor dnf-data, so upstream’s writes of the rpm language macro and dnf’s infra variable fail silently there, while almac creates the directories (a no-op in every other image)',
    images: allImages,
    adjust: (_upstream, ours) => dropOurs(ours, 'mkdir', ['/etc/rpm', '/etc/dnf/vars']),
  },
  {
    name: 'minimal: mkdir /etc/systemd/system before the default.target link',
    reason:
      'minimal installs no systemd, so nothing creates /etc/systemd/system and upstream’s `ln -s` fails silently (leaving no link); almac stops on errors, so it creates the directory and the link',
    images: ['9/minimal', '10/minimal', '10-kitten/minimal'],
    adjust: (_upstream, ours) => dropOurs(ours, 'mkdir', ['/etc/systemd/system']),
  },
  {
    name: 'toolbox: release-specific second-phase packages in their own transaction',
    reason:
      'toolbox lists its common packages once and the release-specific ones (python3 pulseaudio on 8, default-fonts-core on 9+) in a second `dnf install --allowerasing` under `when`; the package set and options are the same',
    images: toolboxes,
    adjust(_upstream, ours) {
      const i = ours.steps.findIndex((a, k) => allowErasing(a) && ours.steps[k + 1] !== undefined && allowErasing(ours.steps[k + 1]!));
      if (i < 0) return false;
      const [a, b] = [ours.steps[i]!, ours.steps[i + 1]!];
      const [optsA, pkgsA] = a.detail.split(' : ');
      const [optsB, pkgsB] = b.detail.split(' : ');
      if (optsA !== optsB) return false;
      const merged = [...pkgsA!.split(' '), ...pkgsB!.split(' ')].sort().join(' ');
      ours.steps.splice(i, 2, { ...a, detail: `${optsA} : ${merged}` });
      return true;
    },
  },
  {
    name: 'toolbox: the second phase runs after all of base’s steps',
    reason:
      'toolbox extends base, so its steps follow base’s: on 9 and later the second phase comes after `systemd-tmpfiles` (and on 9 the i686 repo edit), as upstream already does on 8; tmpfiles only creates missing files and the i686 edit targets AlmaLinux’s repo files',
    images: ['9/toolbox', '10/toolbox', '10-kitten/toolbox'],
    adjust(upstream) {
      const first = upstream.steps.findIndex(isPhase2);
      let end = first;
      while (end < upstream.steps.length && isPhase2(upstream.steps[end]!)) end++;
      if (first < 0 || end === upstream.steps.length) return false;
      const phase2 = upstream.steps.splice(first, end - first);
      upstream.steps.push(...phase2);
      return true;
    },
  },
  {
    name: '8/init: no ENV in the systemd stage',
    reason:
      'upstream 8/init also sets ENV LANG in stage2, where it only reaches the `systemctl` RUN (which does not use it); the final image has the same ENV',
    images: ['8/init'],
    adjust(upstream, ours) {
      if (!upstream.insideEnv || !Object.keys(upstream.insideEnv).length) return false;
      if (JSON.stringify(upstream.insideEnv) !== JSON.stringify(ours.final.env)) return false;
      upstream.insideEnv = {};
      return true;
    },
  },
];

/** Applies the deliberate differences listed for `id`; returns the names of those that had nothing to do. */
export function reconcile(id: string, upstream: Effects, ours: Effects): string[] {
  const stale: string[] = [];
  for (const d of DELIBERATE_DIFFERENCES) if (d.images.includes(id) && !d.adjust(upstream, ours)) stale.push(d.name);
  return stale;
}

/**
 * Differences in how a command is spelled, which the atoms do not carry at all (an atom is the
 * effect, not the flags). Listed so that they are stated, with a check that each really occurs.
 */
export const SPELLING_DIFFERENCES: { name: string; reason: string }[] = [
  { name: 'rm -rf for every removal in the image root', reason: 'upstream removes /etc/machine-id with `rm -f`; on a file the effect is the same, and one spelling keeps every removal uniform' },
  { name: 'rm -f for files on the builder', reason: 'toolbox removes the builder’s language macro; upstream’s `rm` fails when the file is absent (8 has none), `rm -f` does not' },
  { name: 'ln -sfn for symlinks', reason: 'upstream uses `ln -s` (through `cd /etc; ln -s …`); -f and -n make the step idempotent and leave the same link' },
  { name: 'commands joined with && instead of ;', reason: 'upstream RUNs ignore every failure but the last; almac stops at the first failing command, so a broken step cannot produce an image' },
  { name: 'RUN grouping', reason: 'almac groups steps by the fragment that wrote them; the final stage is FROM scratch + COPY, so layers do not reach the image' },
];

// Phase 3: the `kickstart { … }` statements an image inherits and uses, applied in order. A later
// statement of a command replaces the earlier one (parents first, so a child overrides), `part`,
// `addon` (by name), `pre` and `raw-kickstart` accumulate, and `omit` drops what came before.
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { CheckedProject } from '../../model/checked.js';
import { emptyKickstart, type KickstartItem, type KickstartSettings } from '../../model/kickstart.js';
import type { ImageSpec, Origin } from '../../model/spec.js';

export class KickstartBuilder {
  readonly settings: KickstartSettings = emptyKickstart();
  private autopartSpan?: Span;
  private partSpan?: Span;

  apply(item: KickstartItem, span: Span, group: string): void {
    const ks = this.settings;
    const origin: Origin = { file: span.file, line: span.line };
    switch (item.key) {
      case 'part':
        ks.parts = [...ks.parts.filter((p) => p.mount !== item.value.mount), item.value];
        this.partSpan = span;
        break;
      case 'autopart':
        ks.autopart = item.value;
        this.autopartSpan = span;
        break;
      case 'addon':
        ks.addons = [...ks.addons.filter((a) => a.name !== item.value.name), item.value];
        break;
      case 'pre':
        ks.pre = [...ks.pre, { ...item.value, origin, group }];
        break;
      case 'raw-kickstart':
        ks.raw = [...ks.raw, { lines: item.value, origin, group }];
        break;
      case 'post-nochroot':
        ks.post = { ...ks.post, nochroot: item.value };
        break;
      case 'post-chroot':
        ks.post = { ...ks.post, chroot: item.value };
        break;
      case 'omit':
        for (const name of item.value) this.omit(name);
        break;
      default:
        (ks as unknown as Record<string, unknown>)[item.key] = item.value;
    }
  }

  private omit(name: string): void {
    const ks = this.settings;
    if (name === 'part') {
      ks.parts = [];
      this.partSpan = undefined;
    } else if (name === 'addon') ks.addons = [];
    else if (name === 'pre') ks.pre = [];
    else if (name === 'raw-kickstart') ks.raw = [];
    else {
      if (name === 'autopart') this.autopartSpan = undefined;
      delete (ks as unknown as Record<string, unknown>)[name];
    }
  }

  /** Whole-image checks: problems that only show once everything is applied. */
  check(fail: (code: string, span: Span, message: string, extra?: Partial<Diagnostic>) => void): void {
    if (this.settings.autopart && this.settings.parts.length && this.autopartSpan && this.partSpan) {
      fail('E420', this.partSpan, 'the kickstart has both `autopart` and `part`', {
        expected: 'either automatic partitioning or explicit partitions',
        hint: 'write `omit autopart` in the kickstart block that declares the partitions',
        related: [{ message: 'autopart declared here', span: this.autopartSpan }],
      });
    }
  }
}

/**
 * Two images whose kickstart file names come out the same (a `kickstart-file` template without
 * `{image}` or `{release}`) would overwrite each other's file: reported, naming both.
 */
export function checkKickstartFileNames(images: ImageSpec[], project: CheckedProject, diags: Diagnostic[]): void {
  const first = new Map<string, ImageSpec>();
  for (const s of images) {
    const prev = first.get(s.outputs.kickstart);
    if (!prev) {
      first.set(s.outputs.kickstart, s);
      continue;
    }
    const here = project.images.get(s.image)!.nameSpan;
    const there = project.images.get(prev.image)!.nameSpan;
    diags.push(error('E421', here, `${s.id} and ${prev.id} would both be written to generated/${s.outputs.kickstart}`, {
      expected: 'a kickstart file name per image and release',
      hint: 'put {release} and {image} into `naming { kickstart-file "…" }`',
      related: [{ message: `${prev.id} is declared here`, span: there }],
    }));
  }
}

// Where an image is published: the `publish`, `unpublish` and `newest-release-tag` statements of
// its `naming` blocks, decided for one release, become one PublishTarget per registry. Tags and
// repository names are checked against the OCI distribution grammar after their placeholders are
// filled in, and references that two images would both push are reported.
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { CheckedProject, NamingItem, ReleaseDecl } from '../../model/checked.js';
import type { ImageSpec, PublishTarget } from '../../model/spec.js';
import { PATH_COMPONENT } from '../2-analyze/registries.js';

/** The OCI distribution spec's tag grammar. */
export const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const OCI_REPOSITORY = new RegExp(`^${PATH_COMPONENT}(/${PATH_COMPONENT})*$`);
/** What `{date}` stands for when a tag is checked: eight digits, as every run fills it in. */
const SAMPLE_DATE = '20000101';

/** A reference an image will push, with the statement that made it (for duplicate reports). */
export interface ClaimedReference {
  reference: string;
  image: string;
  span: Span;
}

export class PublishNaming {
  private readonly registries = new Map<string, { repository: string; span: Span }>();
  private readonly newestTags: { tag: string; span: Span }[] = [];
  private readonly tagSpans = new Map<string, Span>();

  /** Takes the naming items this module owns; returns false for the others. */
  apply(item: NamingItem, span: Span): boolean {
    switch (item.key) {
      case 'publish':
        for (const r of item.registries) {
          this.registries.delete(r.name); // re-adding moves it to the end, as written
          this.registries.set(r.name, { repository: item.as, span });
        }
        return true;
      case 'unpublish':
        for (const r of item.registries) this.registries.delete(r.name);
        return true;
      case 'newest-release-tag':
        for (const t of item.value) this.newestTags.push({ tag: t, span });
        return true;
      case 'tags':
      case 'tag':
        for (const t of item.value) this.tagSpans.set(t, span);
        return false;
      default:
        return false;
    }
  }

  /** Tags only the newest release carries (unfilled). */
  newestReleaseTags(): string[] {
    return this.newestTags.map((t) => t.tag);
  }

  /** The targets for one release; `tags` are the image's filled tags (may hold `{date}`). */
  finish(
    project: CheckedProject,
    opts: { id: string; tags: string[]; fill: (s: string) => string; fail: (code: string, span: Span, message: string, extra?: Partial<Diagnostic>) => void; claims: ClaimedReference[] },
  ): PublishTarget[] {
    const tags = [...opts.tags];
    const spanOf = new Map<string, Span>();
    for (const [raw, span] of this.tagSpans) spanOf.set(opts.fill(raw), span);
    for (const { tag, span } of this.newestTags) spanOf.set(opts.fill(tag), span);
    let ok = true;
    for (const t of tags) {
      const sample = t.replace(/\{date\}/g, SAMPLE_DATE);
      if (!OCI_TAG.test(sample)) {
        ok = false;
        const span = spanOf.get(t);
        if (span) {
          opts.fail('E430', span, `tag \`${t}\` is not a valid OCI tag`, {
            expected: 'up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`',
            hint: 'registries reject such a tag on push; `/` and `:` belong in the repository, not the tag',
          });
        }
      }
    }
    const out: PublishTarget[] = [];
    const declared = project.registries ?? new Map();
    // Declaration order of the registries, so output does not depend on statement order.
    for (const [name, decl] of declared) {
      const p = this.registries.get(name);
      if (!p) continue;
      const repository = opts.fill(p.repository);
      if (!OCI_REPOSITORY.test(repository)) {
        ok = false;
        opts.fail('E431', p.span, `repository name \`${repository}\` is not valid on ${name}`, {
          expected: 'lower-case path components of letters and digits joined by `.`, `_`, `__` or `-`, separated by `/`',
          hint: 'write e.g. `publish [quay.io] as "{release}-{image}"`',
        });
        continue;
      }
      out.push({ registry: name, location: decl.location, repository, tags });
      for (const t of tags) opts.claims.push({ reference: `${decl.location}/${repository}:${t}`, image: opts.id, span: spanOf.get(t) ?? p.span });
    }
    return ok ? out : [];
  }
}

/** The newest release of an image that carries `newest-release-tag`s: the highest releasever among
 * its releases that are not rolling (a rolling release has no version of its own). */
export function newestRelease(releases: ReleaseDecl[]): string | undefined {
  let best: ReleaseDecl | undefined;
  for (const r of releases) {
    if (r.version === r.name) continue;
    if (!best || Number(r.releasever) > Number(best.releasever)) best = r;
  }
  return best?.name;
}

/** Two images that would push the same reference: an error at the second one. */
export function duplicateReferences(claims: ClaimedReference[]): Diagnostic[] {
  const first = new Map<string, ClaimedReference>();
  const out: Diagnostic[] = [];
  for (const c of claims) {
    const prev = first.get(c.reference);
    if (!prev) first.set(c.reference, c);
    else if (prev.image !== c.image) {
      out.push(error('E432', c.span, `${c.image}: \`${c.reference}\` is also pushed by ${prev.image}`, {
        expected: 'each reference pushed by one image',
        hint: 'give one of them another tag, or move the tag under `newest-release-tag` or a `when release …` condition',
        related: [{ message: `${prev.image} names it here`, span: prev.span }],
      }));
    }
  }
  return out;
}

export type { ImageSpec };

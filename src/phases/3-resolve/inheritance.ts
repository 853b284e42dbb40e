// What inheritance may take away, and what an image may not say twice or contradict.
//
// Each image is resolved in inheritance order (parents first). Within that order:
//  - a child's config value replaces the inherited one; `drop` takes one away (E440 when there
//    is nothing to drop);
//  - the same config key set twice by one image (itself and the fragments it uses) is E443;
//  - assertions that the packages contradict are E441 and E442; an exclude or remove glob that
//    matches an installed package is E401, like the same name installed and removed.
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { DropTarget } from '../../model/checked.js';
import type { Assertion } from '../../model/spec.js';
import { globMatches, isGlob } from '../../util/glob.js';

export type Fail = (code: string, span: Span, message: string, extra?: Partial<Diagnostic>) => void;

/** Where each config key was set, and by which image of the chain. */
export class ConfigLedger {
  private readonly set = new Map<string, { span: Span; level: string }>();

  constructor(private readonly fail: Fail) {}

  /** Records `key` (`cmd`, `env LANG`) set at `span` by image `level`; E443 when it set it already. */
  record(key: string, span: Span, level: string): void {
    const before = this.set.get(key);
    if (before && before.level === level) {
      this.fail('E443', span, `\`${key}\` is set twice in image \`${level}\``, {
        expected: 'each config value set once per image',
        hint: 'remove one of them; a child image replaces an inherited value by setting it, and takes it away with `drop`',
        related: [{ message: 'first set here', span: before.span }],
      });
    }
    this.set.set(key, { span, level });
  }

  /** Takes a key away; false when it was never set. */
  forget(key: string): boolean {
    return this.set.delete(key);
  }
}

export function dropKey(t: Extract<DropTarget, { what: 'config' }>): string {
  return 'name' in t ? `${t.key} ${t.name}` : t.key;
}

export function sameAssertion(a: Assertion, b: Assertion): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function nothingToDrop(fail: Fail, span: Span, what: string, hint: string): void {
  fail('E440', span, `\`drop ${what}\` takes nothing away: nothing this image inherits has it`, { expected: 'something an inherited image or fragment sets', hint });
}

export interface PackageSets {
  install: Map<string, Span>;
  exclude: Map<string, Span>;
  remove: Map<string, Span>;
  /** Packages installed by later transactions (`post { install … }`). */
  later: Map<string, Span>;
}

/** Installed names matched by a pattern (a glob or a plain name). */
function installedMatching(pattern: string, installed: Map<string, Span>): [string, Span][] {
  if (!isGlob(pattern)) return installed.has(pattern) ? [[pattern, installed.get(pattern)!]] : [];
  return [...installed].filter(([n]) => !isGlob(n) && globMatches(pattern, n));
}

export function checkPackageContradictions(p: PackageSets, assertions: { assertion: Assertion; span: Span }[], fail: Fail): void {
  for (const [what, list] of [['removed', p.remove], ['excluded', p.exclude]] as const) {
    for (const [pattern, span] of list) {
      for (const [name, at] of installedMatching(pattern, p.install)) {
        const glob = pattern !== name;
        fail('E401', span, glob ? `\`${pattern}\` matches \`${name}\`, which is installed, so \`${name}\` would be both installed and ${what}` : `\`${name}\` is both installed and ${what}`, {
          expected: 'each package either installed or ' + what,
          hint: glob ? `narrow the pattern so it does not match \`${name}\`, or install something else` : `to drop a package that a parent installs, write \`omit ${name}\``,
          related: [{ message: 'installed here', span: at }],
        });
      }
    }
  }
  const installedAnywhere = new Map([...p.install, ...p.later]);
  for (const { assertion: a, span } of assertions) {
    if (a.kind === 'package-absent') {
      const hit = installedMatching(a.name, installedAnywhere).find(([n]) => !p.remove.has(n) && ![...p.remove.keys()].some((r) => globMatches(r, n)));
      if (hit) {
        fail('E441', span, `\`package-absent ${a.name}\` contradicts \`install ${hit[0]}\``, {
          expected: 'assertions that the image\'s packages can satisfy',
          hint: `if this image is meant to have \`${a.name}\`, take the inherited assertion away: \`assert { drop package-absent ${a.name} }\``,
          related: [{ message: `\`${hit[0]}\` is installed here`, span: hit[1] }],
        });
      }
    } else if (a.kind === 'package-installed') {
      for (const [what, list] of [['removed', p.remove], ['excluded', p.exclude]] as const) {
        const hit = [...list].find(([pattern]) => globMatches(pattern, a.name));
        if (hit) {
          fail('E442', span, `\`package-installed ${a.name}\` contradicts \`${what === 'removed' ? 'remove' : 'exclude'} ${hit[0]}\``, {
            expected: 'assertions that the image\'s packages can satisfy',
            hint: `drop the assertion (\`assert { drop package-installed ${a.name} }\`) or stop ${what === 'removed' ? 'removing' : 'excluding'} \`${a.name}\``,
            related: [{ message: `\`${a.name}\` is ${what} here`, span: hit[1] }],
          });
        }
      }
    }
  }
}

// Checking `when` conditions: the axis must be `release` or `platform`, and every value must be a
// declared release or platform. A misspelt value is an error, never a silently dead branch.
import { undeclaredHint } from './axis-hints.js';
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Condition } from '../../model/ast.js';
import type { CheckedCondition, ReleaseOp } from '../../model/checked.js';
import { didYouMean } from '../../util/suggest.js';

export interface Axes {
  releases: Set<string>;
  platforms: Set<string>;
  /** Declared registry names (`registry NAME { … }`), for `publish` and `unpublish`. */
  registries?: Set<string>;
}

export const AXES = ['release', 'platform'] as const;

export function checkCondition(c: Condition, axes: Axes, diags: Diagnostic[], opts: { platformAllowed: boolean }): CheckedCondition {
  switch (c.kind) {
    case 'and':
    case 'or':
      return { kind: c.kind, left: checkCondition(c.left, axes, diags, opts), right: checkCondition(c.right, axes, diags, opts), span: c.span };
    case 'not':
      return { kind: 'not', operand: checkCondition(c.operand, axes, diags, opts), span: c.span };
    case 'compare': {
      if (c.axis !== 'release' && c.axis !== 'platform') {
        diags.push(error('E301', c.axisSpan, `unknown axis \`${c.axis}\` in a condition`, {
          expected: '`release` or `platform`',
          hint: didYouMean(c.axis, AXES) ?? 'conditions look like `release >= 9` or `platform = linux/386`',
        }));
        return { kind: 'invalid', span: c.span };
      }
      const declared = c.axis === 'release' ? axes.releases : axes.platforms;
      let ok = true;
      for (const v of c.values) {
        if (!declared.has(v.text)) {
          ok = false;
          const list = [...declared].sort().join(', ');
          diags.push(error('E302', v.span, `\`${v.text}\` is not a declared ${c.axis}`, {
            expected: `one of: ${list}`,
            hint: undeclaredHint(c.axis as 'release' | 'platform', v.text, declared),
          }));
        }
      }
      if (c.axis === 'platform') {
        if (!opts.platformAllowed) {
          diags.push(error('E304', c.span, 'a platform condition cannot be used here', {
            expected: 'a `release` condition',
            hint: 'repositories and image settings vary by release; use `$basearch` in URLs for per-architecture paths',
          }));
          return { kind: 'invalid', span: c.span };
        }
        if (!['=', '!=', 'in'].includes(c.op)) {
          diags.push(error('E303', c.span, `platforms have no order, so \`${c.op}\` cannot compare them`, {
            expected: '`=`, `!=` or `in [...]`',
            hint: 'list the platforms: `platform in [linux/amd64, linux/arm64]`',
          }));
          return { kind: 'invalid', span: c.span };
        }
        if (!ok) return { kind: 'invalid', span: c.span };
        return { kind: 'platform', negate: c.op === '!=', values: c.values.map((v) => v.text), span: c.span };
      }
      if (!ok) return { kind: 'invalid', span: c.span };
      return { kind: 'release', op: c.op as ReleaseOp, values: c.values.map((v) => v.text), span: c.span };
    }
  }
}

/** Does the condition mention `platform` anywhere? */
export function mentionsPlatform(c: CheckedCondition): boolean {
  switch (c.kind) {
    case 'platform':
      return true;
    case 'and':
    case 'or':
      return mentionsPlatform(c.left) || mentionsPlatform(c.right);
    case 'not':
      return mentionsPlatform(c.operand);
    default:
      return false;
  }
}

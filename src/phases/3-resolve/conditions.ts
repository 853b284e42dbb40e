// Evaluating checked conditions for one release. Release comparisons are decided here; platform
// comparisons are decided per platform, giving the set of platforms on which a step runs.
import type { CheckedCondition } from '../../model/checked.js';
import type { ReleaseDecl } from '../../model/checked.js';

export interface EvalContext {
  release: ReleaseDecl;
  releases: Map<string, ReleaseDecl>;
}

function compareRelease(ctx: EvalContext, op: string, other: string): boolean {
  const o = ctx.releases.get(other);
  if (!o) return false;
  const a = Number(ctx.release.releasever);
  const b = Number(o.releasever);
  switch (op) {
    case '=':
    case 'in':
      return ctx.release.name === other;
    case '!=':
      return ctx.release.name !== other;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
  return false;
}

/** Evaluates the condition for one release and one platform (undefined = "any platform"). */
export function evaluate(c: CheckedCondition, ctx: EvalContext, platform: string | undefined): boolean {
  switch (c.kind) {
    case 'release':
      return c.op === '!=' ? c.values.every((v) => compareRelease(ctx, '!=', v)) : c.values.some((v) => compareRelease(ctx, c.op, v));
    case 'platform': {
      if (platform === undefined) return true;
      const hit = c.values.includes(platform);
      return c.negate ? !hit : hit;
    }
    case 'and':
      return evaluate(c.left, ctx, platform) && evaluate(c.right, ctx, platform);
    case 'or':
      return evaluate(c.left, ctx, platform) || evaluate(c.right, ctx, platform);
    case 'not':
      return !evaluate(c.operand, ctx, platform);
    case 'invalid':
      return false;
  }
}

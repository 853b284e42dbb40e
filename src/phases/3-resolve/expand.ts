// Phase 3's first step for one image and release: its chain of parents, each once, and the items
// of their bodies with fragments spliced in where they are used and release conditions decided;
// platform conditions stay with each item, for the platforms to be found per step.
import type { Span } from '../../diagnostics/diagnostic.js';
import type { BodyDecl, BodyItem, CheckedCondition, CheckedProject } from '../../model/checked.js';
import { mentionsPlatform } from '../2-analyze/conditions.js';
import { evaluate, type EvalContext } from './conditions.js';

export interface Applied {
  item: BodyItem;
  platformConds: CheckedCondition[];
  group: string;
  /** The image of the inheritance chain whose body (or fragments) wrote the item. */
  level: string;
}

/** How deep `extends` and `use` may nest. Both are followed recursively; deeper chains are reported. */
export const MAX_CHAIN_DEPTH = 64;
/**
 * Statements one image may expand to. A fragment may be used more than once, so a few levels of
 * fragments that each use the next one twice expand exponentially; past this the image is reported.
 */
export const MAX_EXPANDED_ITEMS = 100_000;

export interface ExpandBudget {
  itemsLeft: number;
  /** Where expansion stopped, if it did. */
  tooDeep?: Span;
  tooMany?: Span;
}

/** Ancestors of an image, each once, parents before children, the image itself last. */
export function linearise(project: CheckedProject, name: string, onTooDeep?: (d: BodyDecl) => void): BodyDecl[] {
  const out: BodyDecl[] = [];
  const seen = new Set<string>();
  const visit = (n: string, stack: Set<string>) => {
    const d = project.images.get(n);
    if (!d || seen.has(n) || stack.has(n)) return;
    if (stack.size >= MAX_CHAIN_DEPTH) return onTooDeep?.(d);
    stack.add(n);
    for (const p of d.parents) visit(p.name, stack);
    stack.delete(n);
    seen.add(n);
    out.push(d);
  };
  visit(name, new Set());
  return out;
}

export function expand(project: CheckedProject, items: BodyItem[], ctx: EvalContext, conds: CheckedCondition[], group: string, out: Applied[], using: string[], budget: ExpandBudget, level = group): void {
  for (const item of items) {
    if (--budget.itemsLeft < 0) {
      budget.tooMany ??= item.span;
      return;
    }
    if (item.kind === 'when') {
      if (mentionsPlatform(item.condition)) {
        expand(project, item.then, ctx, [...conds, item.condition], group, out, using, budget, level);
        expand(project, item.otherwise, ctx, [...conds, { kind: 'not', operand: item.condition, span: item.condition.span }], group, out, using, budget, level);
      } else {
        expand(project, evaluate(item.condition, ctx, undefined) ? item.then : item.otherwise, ctx, conds, group, out, using, budget, level);
      }
    } else if (item.kind === 'use') {
      const f = project.fragments.get(item.fragment.name);
      if (!f || using.includes(f.name)) continue; // reported in phase 2
      if (using.length >= MAX_CHAIN_DEPTH) {
        budget.tooDeep ??= item.span;
        continue;
      }
      expand(project, f.body, ctx, conds, f.name, out, [...using, f.name], budget, level);
    } else {
      out.push({ item, platformConds: conds, group, level });
    }
  }
}

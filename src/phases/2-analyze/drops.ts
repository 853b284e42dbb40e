// `drop …`: what a child image takes away from what it inherits.
//
//   config { drop cmd }              drop cmd, entrypoint, stopsignal, user or workdir
//   config { drop env LANG }         drop one env variable or label (`drop label KEY`)
//   assert { drop package-absent python3 }   drop an inherited assertion, written as it was
//   post   { drop utc-localtime }    drop every inherited post step that fragment (or image) wrote
//   post   { instead-of utc-localtime { symlink … } }   replace them, in their place
//
// Phase 3 checks that each drop takes something away (E440) and applies it in inheritance order.
import { error } from '../../diagnostics/diagnostic.js';
import type { Node, Statement } from '../../model/ast.js';
import type { BodyItem, DropTarget } from '../../model/checked.js';
import { readArgs } from './args.js';
import { argCount, named, noBlock, printable, type Ctx } from './context.js';
import { ENV_KEY, IDENT, LABEL_KEY } from './grammars.js';

const SINGLE = ['cmd', 'entrypoint', 'stopsignal', 'user', 'workdir'] as const;
const KEYED = ['env', 'label'] as const;
export const DROPPABLE_CONFIG = [...SINGLE, ...KEYED];

export function dropConfig(ctx: Ctx, st: Statement): BodyItem | undefined {
  noBlock(ctx, st);
  const a = readArgs(st, {}, ctx.diags);
  if (!argCount(ctx, st, a.positionals, 1, 2, 'what to drop, e.g. `drop cmd` or `drop env LANG`')) return undefined;
  const [k, n] = a.positionals;
  let target: DropTarget | undefined;
  if ((SINGLE as readonly string[]).includes(k!.text)) {
    if (n) ctx.diags.push(error('E209', n.span, `\`drop ${k!.text}\` takes no name`, { expected: 'the end of the statement', hint: `write \`drop ${k!.text}\`` }));
    else target = { what: 'config', key: k!.text as (typeof SINGLE)[number] };
  } else if ((KEYED as readonly string[]).includes(k!.text)) {
    const key = k!.text as (typeof KEYED)[number];
    if (!n) ctx.diags.push(error('E208', st.span, `\`drop ${key}\` needs the ${key === 'env' ? 'variable' : 'label'} to drop`, { expected: key === 'env' ? 'drop env NAME' : 'drop label KEY' }));
    else if (!(key === 'env' ? ENV_KEY : LABEL_KEY).test(n.text)) ctx.diags.push(error('E330', n.span, `\`${printable(n.text)}\` is not ${key === 'env' ? 'an environment variable name' : 'a label key'}`, { expected: key === 'env' ? 'a name such as LANG' : 'a key such as org.opencontainers.image.vendor' }));
    else target = { what: 'config', key, name: n.text };
  } else {
    ctx.diags.push(error('E201', k!.span, `\`drop ${printable(k!.text)}\`: not a config value`, { expected: `one of: ${DROPPABLE_CONFIG.join(', ')}`, hint: 'usage: drop cmd, drop env NAME, drop label KEY' }));
  }
  return target ? { kind: 'drop', target, span: st.span } : undefined;
}

/** `drop KIND VALUE…` in `assert`: the assertion is read exactly as `KIND VALUE…` would be. */
export function dropAssertionWith(ctx: Ctx, st: Statement, read: (ctx: Ctx, st: Statement) => BodyItem[] | undefined): BodyItem[] | undefined {
  const [kind, ...rest] = st.args;
  if (!kind || kind.kind !== 'word') {
    ctx.diags.push(error('E208', st.span, '`drop` needs the assertion to drop', { expected: 'drop package-absent NAME (an assertion, as the parent wrote it)' }));
    return undefined;
  }
  if (kind.text === 'drop') {
    ctx.diags.push(error('E201', kind.span, '`drop drop` drops nothing', { expected: 'an assertion such as package-absent NAME' }));
    return undefined;
  }
  const items = read(ctx, { ...st, name: kind.text, nameSpan: kind.span, args: rest });
  return items?.flatMap((it) => (it.kind === 'assert' ? [{ kind: 'drop' as const, target: { what: 'assert' as const, assertion: it.assertion }, span: st.span }] : []));
}

export function dropSteps(ctx: Ctx, st: Statement): BodyItem[] | undefined {
  noBlock(ctx, st);
  const a = readArgs(st, {}, ctx.diags);
  if (!argCount(ctx, st, a.positionals, 1, Infinity, 'the fragment (or parent image) whose steps to drop')) return undefined;
  const out: BodyItem[] = [];
  for (const v of a.positionals) {
    if (!IDENT.test(v.text)) {
      ctx.diags.push(error('E201', v.span, `\`drop ${printable(v.text)}\`: not a fragment or image name`, { expected: 'the name of a fragment or image whose inherited post steps to drop', hint: 'post steps are dropped by the fragment that wrote them, e.g. `drop utc-localtime`' }));
      continue;
    }
    out.push({ kind: 'drop', target: { what: 'steps', from: named(v) }, span: st.span });
  }
  return out;
}

type Walk = (ctx: Ctx, nodes: Node[], each: (st: Statement) => BodyItem | BodyItem[] | undefined) => BodyItem[];

/** Marks the steps of a `when` tree as replacing `name`. */
function markReplacing(items: BodyItem[], name: string): BodyItem[] {
  return items.map((it) =>
    it.kind === 'step' ? { ...it, replaces: name } : it.kind === 'when' ? { ...it, then: markReplacing(it.then, name), otherwise: markReplacing(it.otherwise, name) } : it,
  );
}

/** `instead-of NAME { steps }`: drop NAME's inherited steps and put these where they were. */
export function insteadOf(ctx: Ctx, st: Statement, each: (st: Statement) => BodyItem | BodyItem[] | undefined, walk: Walk): BodyItem[] | undefined {
  const a = readArgs(st, {}, ctx.diags);
  if (!argCount(ctx, st, a.positionals, 1, 1, 'the fragment (or parent image) whose steps these replace')) return undefined;
  const v = a.positionals[0]!;
  if (!IDENT.test(v.text)) {
    ctx.diags.push(error('E201', v.span, `\`instead-of ${printable(v.text)}\`: not a fragment or image name`, { expected: 'the name of a fragment or image whose inherited post steps to replace' }));
    return undefined;
  }
  if (!st.block) {
    ctx.diags.push(error('E203', st.span, '`instead-of` needs a block `{ … }` of post steps', { expected: '`{`', hint: `write \`instead-of ${v.text} { … }\`, or \`drop ${v.text}\` to only take the steps away` }));
    return undefined;
  }
  const steps = walk(ctx, st.block.nodes, each).filter((it) => it.kind !== 'drop');
  return [{ kind: 'drop', target: { what: 'steps', from: named(v), inPlace: true }, span: st.span }, ...markReplacing(steps, v.text)];
}

// Registries: `registry NAME { location HOST/NAMESPACE }` at the top level, and the `publish` and
// `unpublish` statements of a `naming` block, which name declared registries. A registry name
// that is not declared is an error with a suggestion, never a registry silently left out.
import { error } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import type { Named, NamingItem, RegistryDecl } from '../../model/checked.js';
import { didYouMean } from '../../util/suggest.js';
import { readArgs } from './args.js';
import { argCount, checked, needBlock, noBlock, unknownStatement, type Ctx } from './context.js';

export const NAMING_STATEMENTS = ['repository', 'tags', 'tag', 'title', 'kickstart-file', 'newest-release-tag', 'publish', 'unpublish'];

/** A registry's declared name: a word such as `docker.io` or `quay`. */
export const REGISTRY_NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
/** One path component of a repository name (the OCI distribution grammar). */
export const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
/** `host[:port]/namespace[/…]`: a registry host and at least one path component. */
export const REGISTRY_LOCATION = new RegExp(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/${PATH_COMPONENT})+$`);

export function checkRegistry(ctx: Ctx, st: Statement): RegistryDecl | undefined {
  const name = checked(ctx, st.args[0]!, 'a registry name such as quay.io', REGISTRY_NAME, 'E221', 'registry names use lower-case letters, digits and . _ -');
  if (!needBlock(ctx, st) || !name) return undefined;
  let location: string | undefined;
  let written = false;
  for (const n of st.block!.nodes) {
    if (n.kind !== 'statement') {
      ctx.diags.push(error('E212', n.span, 'conditions cannot be used inside a registry', { expected: 'location' }));
      continue;
    }
    noBlock(ctx, n);
    if (n.name !== 'location') {
      unknownStatement(ctx, n, 'registry', ['location']);
      continue;
    }
    written = true;
    const a = readArgs(n, {}, ctx.diags);
    if (!argCount(ctx, n, a.positionals, 1, 1, 'a location such as quay.io/almalinuxorg')) continue;
    location = checked(ctx, a.positionals[0]!, 'a registry host and namespace such as quay.io/almalinuxorg', REGISTRY_LOCATION, 'E370',
      'write HOST[:PORT]/NAMESPACE in lower case, e.g. `location ghcr.io/almalinux`');
  }
  if (!location) {
    if (written) return undefined; // reported where it was written
    ctx.diags.push(error('E222', st.args[0]!.span, `registry \`${name}\` has no \`location\``, { expected: 'location HOST/NAMESPACE', hint: 'add `location quay.io/almalinuxorg`' }));
    return undefined;
  }
  return { name, span: st.args[0]!.span, location };
}

function registryNames(ctx: Ctx, values: Value[]): Named[] | undefined {
  const declared = ctx.axes.registries ?? new Set<string>();
  let ok = true;
  for (const v of values) {
    if (declared.has(v.text)) continue;
    ok = false;
    ctx.diags.push(error('E371', v.span, `\`${v.text}\` is not a declared registry`, {
      expected: declared.size ? `one of: ${[...declared].sort().join(', ')}` : 'a registry declared with `registry NAME { location HOST/NAMESPACE }`',
      hint: didYouMean(v.text, declared) ?? `declare it with \`registry ${v.text} { location HOST/NAMESPACE }\``,
    }));
  }
  return ok ? values.map((v) => ({ name: v.text, span: v.span })) : undefined;
}

/** `publish REGISTRY… as NAME` and `unpublish REGISTRY…`. */
export function publishStatement(ctx: Ctx, st: Statement, nameTemplate: (v: Value) => string | undefined): NamingItem | undefined {
  const a = readArgs(st, st.name === 'publish' ? { as: 'value' } : {}, ctx.diags, { optionLike: (w) => w === 'to' || w === 'named' });
  if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one registry')) return undefined;
  const registries = registryNames(ctx, a.positionals);
  if (st.name === 'unpublish') return registries ? { key: 'unpublish', registries } : undefined;
  const as = a.options.get('as')?.value;
  if (!as) {
    ctx.diags.push(error('E208', st.span, '`publish` needs the repository name: `as NAME`', {
      expected: '`as` followed by a repository name',
      hint: 'write `publish [quay.io, ghcr.io] as "{release}-{image}"`',
    }));
    return undefined;
  }
  const repository = nameTemplate(as);
  return registries && repository ? { key: 'publish', registries, as: repository } : undefined;
}

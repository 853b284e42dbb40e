// Phase 3: checked project → one ImageSpec per (image, release). Parents are linearised
// (each ancestor once, parents before children), fragments are spliced in where they are used,
// release conditions are decided, platform conditions become per-step platform sets, and the
// result is checked as a whole (conflicting package actions, unsupported options, …).
//
// The expansion of an image's chain is in expand.ts; the values images share, in shared-values.ts.
import { officialLibraryCollector } from './official-library.js';
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { BodyDecl, CheckedProject, ReleaseDecl, RepoItem } from '../../model/checked.js';
import type { Assertion, ImageConfig, ImageSpec, NamedAssertion, PackageManager, PlatformInfo, RepositorySpec, Step } from '../../model/spec.js';
import { evaluate, type EvalContext } from './conditions.js';
import { MAX_CHAIN_DEPTH, MAX_EXPANDED_ITEMS, expand, linearise, type Applied, type ExpandBudget } from './expand.js';
import { origin, platformInfo, sharedStep } from './shared-values.js';
import { PublishNaming, duplicateReferences, newestRelease, type ClaimedReference } from './publish.js';
import { ConfigLedger, checkPackageContradictions, dropKey, nothingToDrop, sameAssertion } from './inheritance.js';
import { KickstartBuilder, checkKickstartFileNames } from './kickstart.js';
import { fitted } from '../../util/arrays.js';

export { MAX_CHAIN_DEPTH, MAX_EXPANDED_ITEMS, linearise } from './expand.js';

export interface ResolveResult {
  images: ImageSpec[];
  /** Images that declare no releases: bases for others, with no output of their own. */
  abstract: string[];
  diagnostics: Diagnostic[];
}

/**
 * `only`: resolve just these images (the language server re-resolves the images an edit can
 * affect); their parents and fragments are read from the whole project as usual.
 */
export function resolve(project: CheckedProject, only?: Iterable<string>): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const images: ImageSpec[] = [];
  const abstract: string[] = [];
  const claims: ClaimedReference[] = [];
  let reportedTooDeep = false;
  const names = only ? [...new Set(only)].filter((n) => project.images.has(n)) : [...project.images.keys()];
  for (const name of names.sort()) {
    let deep: BodyDecl | undefined;
    const chain = linearise(project, name, (d) => (deep ??= d));
    if (deep) {
      // One report: every image along a long chain is too deep, usually at the same place.
      if (!reportedTooDeep) {
        reportedTooDeep = true;
        diagnostics.push(error('E412', deep.nameSpan, `\`extends\` chains more than ${MAX_CHAIN_DEPTH} images deep here`, {
          expected: `at most ${MAX_CHAIN_DEPTH} levels of \`extends\``,
          hint: 'share statements through fragments (`use`) instead of long inheritance chains',
        }));
      }
      continue;
    }
    // Releases are a setting like any other, but they decide which releases exist, so they are
    // read first, from unconditional statements only.
    let releases: { name: string; span: Span }[] | undefined;
    for (const d of chain) for (const it of d.body) if (it.kind === 'setting' && it.setting.key === 'releases') releases = it.setting.value;
    if (!releases?.length) {
      abstract.push(name);
      continue;
    }
    const newest = newestRelease(releases.map((r) => project.releases.get(r.name)).filter((r): r is ReleaseDecl => !!r));
    for (const r of releases) {
      const release = project.releases.get(r.name);
      if (!release) continue;
      const spec = resolveOne(project, chain, release, diagnostics, { newest: r.name === newest, claims });
      if (spec) images.push(spec);
    }
  }
  checkKickstartFileNames(images, project, diagnostics);
  diagnostics.push(...duplicateReferences(claims));
  return { images, abstract, diagnostics };
}

function resolveOne(project: CheckedProject, chain: BodyDecl[], release: ReleaseDecl, diags: Diagnostic[], publishing: { newest: boolean; claims: ClaimedReference[] }): ImageSpec | undefined {
  const self = chain[chain.length - 1]!;
  const ctx: EvalContext = { release, releases: project.releases };
  const applied: Applied[] = [];
  const budget: ExpandBudget = { itemsLeft: MAX_EXPANDED_ITEMS };
  for (const d of chain) expand(project, d.body, ctx, [], d.name, applied, [], budget);
  const id = `${release.name}/${self.name}`;
  const errorsBefore = diags.length;
  const fail = (code: string, span: Span, message: string, extra: Partial<Diagnostic> = {}) => diags.push(error(code, span, `${id}: ${message}`, extra));
  if (budget.tooDeep) {
    fail('E413', budget.tooDeep, `\`use\` nests fragments more than ${MAX_CHAIN_DEPTH} deep here`, { expected: `at most ${MAX_CHAIN_DEPTH} levels of \`use\``, hint: 'flatten the chain of fragments' });
  }
  if (budget.tooMany) {
    fail('E414', budget.tooMany, `expands to more than ${MAX_EXPANDED_ITEMS} statements`, {
      expected: 'a definition of reasonable size',
      hint: 'a fragment used several times is expanded each time; check for fragments that use the same fragment repeatedly',
    });
  }
  if (budget.tooDeep || budget.tooMany) return undefined;

  let description: string | undefined;
  let ubi: ImageSpec['ubi'];
  let packageManager: PackageManager = 'dnf';
  let pmSpan: Span | undefined;
  let weakDeps = false;
  let docs = false;
  let installLangs: string[] | undefined;
  let builder = release.builder;
  let cleanAfterInstall = true;
  let platformNames = release.platforms.map((p) => p.name);
  let repoIds: { name: string; span: Span }[] | undefined;

  const install = new Map<string, Span>();
  const exclude = new Map<string, Span>();
  const remove = new Map<string, Span>();
  const reinstall = new Map<string, Span>();
  let reinstallLangs: string | undefined;
  const config: ImageConfig = { env: [], labels: [] };
  const env = new Map<string, string>();
  const labels = new Map<string, string>();
  let repository = '{release}-{image}';
  let title = 'release {release}';
  let kickstartFile = '{release}-{image}.ks';
  let tags: string[] = [];
  const publishNaming = new PublishNaming();
  const kickstart = new KickstartBuilder();
  const assertions: NamedAssertion[] = [];
  const assertionSpans: Span[] = [];
  const stepItems: Applied[] = [];
  const ledger = new ConfigLedger(fail);
  /** `instead-of NAME`: where the next replacement step for NAME goes. */
  const replacing = new Map<string, number>();
  const officialLibrary = officialLibraryCollector();

  for (const a of applied) {
    const it = a.item;
    switch (it.kind) {
      case 'setting': {
        const s = it.setting;
        if (s.key === 'description') description = s.value;
        else if (s.key === 'ubi') ubi = s.value;
        else if (s.key === 'package-manager') {
          packageManager = s.value;
          pmSpan = it.span;
        } else if (s.key === 'weak-deps') weakDeps = s.value;
        else if (s.key === 'docs') docs = s.value;
        else if (s.key === 'install-langs') installLangs = s.value;
        else if (s.key === 'builder') builder = s.value;
        else if (s.key === 'clean-after-install') cleanAfterInstall = s.value;
        else if (s.key === 'platforms') {
          const allowed = new Set(release.platforms.map((p) => p.name));
          for (const p of s.value) {
            if (!allowed.has(p.name)) fail('E406', p.span, `platform \`${p.name}\` is not built for release ${release.name}`, { expected: `one of: ${[...allowed].join(', ')}`, hint: `add it to \`release ${release.name} { platforms … }\`, or put this setting under \`when release …\`` });
          }
          platformNames = s.value.map((p) => p.name).filter((p) => allowed.has(p));
        } else if (s.key === 'repositories') repoIds = s.value;
        break;
      }
      case 'packages': {
        const target = { install, exclude, remove, reinstall, omit: undefined }[it.action];
        if (it.action === 'omit') {
          for (const n of it.names) {
            if (!install.delete(n.name)) {
              fail('E402', n.span, `\`omit ${n.name}\` has nothing to omit: no parent installs \`${n.name}\``, { expected: 'a package that an inherited definition installs', hint: 'check the spelling, or remove this line' });
            }
          }
        } else {
          for (const n of it.names) if (!target!.has(n.name)) target!.set(n.name, n.span);
          if (it.action === 'reinstall' && it.langs) reinstallLangs = it.langs;
        }
        break;
      }
      case 'step': {
        const at = it.replaces !== undefined ? replacing.get(it.replaces) : undefined;
        if (at === undefined) stepItems.push(a);
        else {
          stepItems.splice(at, 0, a);
          replacing.set(it.replaces!, at + 1);
        }
        break;
      }
      case 'config': {
        const c = it.item;
        ledger.record(c.key === 'env' || c.key === 'label' ? `${c.key} ${c.name}` : c.key, it.span, a.level);
        if (c.key === 'env') env.set(c.name, c.value);
        else if (c.key === 'label') labels.set(c.name, c.value);
        else if (c.key === 'cmd' || c.key === 'entrypoint') config[c.key] = c.value;
        else if (c.key === 'stopsignal' || c.key === 'user' || c.key === 'workdir') config[c.key] = c.value;
        break;
      }
      case 'naming':
        if (publishNaming.apply(it.item, it.span)) break;
        if (it.item.key === 'repository') repository = it.item.value;
        else if (it.item.key === 'title') title = it.item.value;
        else if (it.item.key === 'kickstart-file') kickstartFile = it.item.value;
        else if (it.item.key === 'tags') tags = [...it.item.value];
        else if (it.item.key === 'tag') for (const t of it.item.value) if (!tags.includes(t)) tags.push(t);
        break;
      case 'official-library':
        officialLibrary.add(it.item, it.span);
        break;
      case 'kickstart':
        kickstart.apply(it.item, it.span, a.group);
        break;
      case 'assert': {
        const as = it.assertion;
        const label = assertionLabel(as);
        assertions.push({ name: label, assertion: as, origin: origin(it.span) });
        assertionSpans.push(it.span);
        break;
      }
      case 'drop': {
        const t = it.target;
        if (t.what === 'config') {
          const key = dropKey(t);
          const had = ledger.forget(key);
          if (t.key === 'env') env.delete(t.name);
          else if (t.key === 'label') labels.delete(t.name);
          else delete config[t.key];
          if (!had) nothingToDrop(fail, it.span, key, 'check the spelling; `almac print IMAGE` shows the inherited config');
        } else if (t.what === 'assert') {
          const i = assertions.findIndex((x) => sameAssertion(x.assertion, t.assertion));
          if (i < 0) nothingToDrop(fail, it.span, assertionLabel(t.assertion), 'write the assertion exactly as the parent does; `almac print IMAGE` lists them');
          else {
            assertions.splice(i, 1);
            assertionSpans.splice(i, 1);
          }
        } else {
          const first = stepItems.findIndex((x) => x.group === t.from.name);
          for (let i = stepItems.length - 1; i >= 0; i--) if (stepItems[i]!.group === t.from.name) stepItems.splice(i, 1);
          if (first < 0) nothingToDrop(fail, t.from.span, t.from.name, 'name a fragment (or parent image) whose `post` steps this image inherits');
          else if (t.inPlace) replacing.set(t.from.name, first);
        }
        break;
      }
    }
  }
  const fillValue = (t: string) => (!t.includes('{') ? t : t.replace(/\{release\}/g, release.name).replace(/\{image\}/g, self.name).replace(/\{version\}/g, release.version).replace(/\{releasever\}/g, release.releasever));
  config.env = [...env.entries()].map(([k, v]) => [k, fillValue(v)]);
  config.labels = [...labels.entries()].map(([k, v]) => [k, fillValue(v)]);
  const library = officialLibrary.finish(fillValue, fail);

  // Whole-image checks.
  const later = new Map<string, Span>();
  for (const a of stepItems) if (a.item.kind === 'step' && a.item.operation.op === 'install') for (const n of a.item.operation.packages) later.set(n, a.item.span);
  checkPackageContradictions({ install, exclude, remove, later }, assertions.map((x, i) => ({ assertion: x.assertion, span: assertionSpans[i]! })), fail);
  if (packageManager === 'microdnf') {
    for (const [name, span] of install) if (name.startsWith('@')) fail('E403', span, `microdnf cannot install groups such as \`${name}\``, { expected: 'package names', hint: 'list the group\'s packages, or use `package-manager dnf`' });
    for (const a of stepItems) {
      const op = a.item.kind === 'step' ? a.item.operation : undefined;
      if (op?.op === 'enable-repos' || (op?.op === 'install' && op.allowErasing)) {
        fail('E404', a.item.span, `${op.op === 'enable-repos' ? '`enable-repos` (dnf config-manager)' : '`allow-erasing`'} is not supported by microdnf`, { expected: 'an option microdnf supports', hint: 'use `package-manager dnf`, or remove this option' });
      }
    }
  }
  if (packageManager !== 'none') {
    const provides = packageManager === 'dnf' ? ['dnf', 'yum'] : ['microdnf'];
    if (!provides.some((p) => install.has(p))) {
      fail('E405', pmSpan ?? self.nameSpan, `the package manager is ${packageManager}, but ${provides.map((p) => `\`${p}\``).join(' or ')} is not installed`, {
        expected: `\`install ${provides[0]}\``,
        hint: packageManager === 'dnf' ? 'set `package-manager none` for images without a package manager' : `add \`install ${provides[0]}\``,
      });
    }
  }
  if (!builder) fail('E407', self.nameSpan, 'no builder image', { expected: 'a `builder` setting', hint: `add \`builder IMAGE\` to \`release ${release.name}\`` });
  kickstart.check(fail);
  if (install.size === 0) fail('E408', self.nameSpan, 'installs no packages', { expected: 'at least one `install`' });

  // Declaration order: the first repository is the kickstart's installation source.
  const repositories = resolveRepositories(project, ctx, repoIds ?? [...project.repositories.keys()].map((name) => ({ name, span: self.nameSpan })), fail);

  const steps: Step[] = [];
  const insideSteps: Step[] = [];
  for (const a of stepItems) {
    if (a.item.kind !== 'step') continue;
    let only: string[] | undefined;
    if (a.platformConds.length) {
      const hit = platformNames.filter((p) => a.platformConds.every((c) => evaluate(c, ctx, p)));
      if (hit.length === 0) continue;
      if (hit.length < platformNames.length) only = hit;
    }
    const step = sharedStep(a.item.operation, only, a.item.span, a.group);
    const when = step.when;
    if (a.item.inside && when) {
      fail('E409', a.item.span, 'steps that run inside the image cannot depend on the platform', { expected: 'an unconditional step' });
    }
    (a.item.inside ? insideSteps : steps).push(step);
  }
  const namingTags = [...new Set([...tags, ...(publishing.newest ? publishNaming.newestReleaseTags() : [])].map(fillValue))];
  const publish = publishNaming.finish(project, { id, tags: namingTags, fill: fillValue, fail, claims: publishing.claims });
  if (diags.length > errorsBefore) return undefined;
  const platforms: PlatformInfo[] = [];
  for (const n of platformNames) {
    // A platform is missing only when its declaration had errors, which are reported already.
    const p = project.platforms.get(n);
    if (p) platforms.push(platformInfo(p));
  }
  return {
    id,
    image: self.name,
    release: release.name,
    releasever: release.releasever,
    version: release.version,
    description,
    source: origin(self.nameSpan),
    ubi,
    platforms: fitted(platforms),
    builder: builder!,
    packageManager,
    weakDeps,
    docs,
    installLangs,
    packages: { install: [...install.keys()], exclude: [...exclude.keys()], remove: [...remove.keys()], reinstall: [...reinstall.keys()], reinstallLangs },
    cleanAfterInstall,
    repositories,
    steps,
    insideSteps,
    config,
    kickstart: kickstart.settings,
    naming: { repository: fillValue(repository), tags: namingTags, title: fillValue(title) },
    publish,
    ...(library ? { officialLibrary: library } : {}),
    assertions: fitted(assertions),
    outputs: {
      containerfile: `containerfiles/${release.name}/Containerfile.${self.name}`,
      kickstart: `kickstarts/${fillValue(kickstartFile)}`,
    },
  };
}

function assertionLabel(as: Assertion): string {
  return 'name' in as ? `${as.kind} ${as.name}` : 'path' in as ? `${as.kind} ${as.path}` : `${as.kind} ${as.argv.join(' ')}`;
}

function resolveRepositories(
  project: CheckedProject,
  ctx: EvalContext,
  ids: { name: string; span: Span }[],
  fail: (code: string, span: Span, message: string, extra?: Partial<Diagnostic>) => void,
): RepositorySpec[] {
  const out: RepositorySpec[] = [];
  for (const { name } of ids) {
    const decl = project.repositories.get(name);
    if (!decl) continue;
    const r: RepositorySpec = { id: decl.id, name: decl.id, gpgcheck: true, enabled: true };
    const apply = (items: RepoItem[]) => {
      for (const it of items) {
        if (it.kind === 'when') apply(evaluate(it.condition, ctx, undefined) ? it.then : it.otherwise);
        else if (it.key === 'gpgcheck' || it.key === 'enabled') r[it.key] = it.value as boolean;
        else r[it.key] = it.value as string;
      }
    };
    apply(decl.body);
    if (!r.baseurl && !r.mirrorlist) {
      fail('E411', decl.span, `repository \`${decl.id}\` has neither a baseurl nor a mirrorlist for release ${ctx.release.name}`, { expected: 'baseurl "…" or mirrorlist "…"' });
      continue;
    }
    if (r.enabled) out.push(r);
  }
  return fitted(out);
}

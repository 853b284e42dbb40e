// Phase 2: syntax trees of all definition files → one checked project, taken one file at a time
// (ProjectAnalyzer). Top-level declarations are collected across files (names are global), every
// statement is checked against the schema, and references (`extends`, `use`, releases, platforms,
// repositories) are resolved by name.
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Node, SourceFile, Statement } from '../../model/ast.js';
import type { BodyDecl, BodyItem, CheckedProject, Named, PlatformDecl, ReleaseDecl, RepoItem, RepositoryDecl } from '../../model/checked.js';
import { didYouMean } from '../../util/suggest.js';
import { readArgs } from './args.js';
import { checkBody } from './body.js';
import { checkRegistry } from './registries.js';
import { checkCondition, mentionsPlatform, type Axes } from './conditions.js';
import { collectAxes, noAxes } from './axes.js';
import { argCount, bool, checked, named, needBlock, noBlock, unknownStatement, type Ctx } from './context.js';
import { ARCH, IDENT, IMAGE_REF, PLATFORM_NAME, RELEASE_NAME, REPO_ID, checkSingleLine, checkUrl } from './grammars.js';
import { fitted, pushAll } from '../../util/arrays.js';

/** The declarations a definition file may hold (the language server completes them). */
export const TOP_STATEMENTS: readonly string[] = ['release', 'platform', 'repository', 'registry', 'fragment', 'image'];
const TOP = TOP_STATEMENTS;

export interface AnalyzeResult {
  project: CheckedProject;
  diagnostics: Diagnostic[];
}

export function analyze(files: SourceFile[]): AnalyzeResult {
  const axes = noAxes();
  for (const f of files) collectAxes(f, axes);
  const analyzer = new ProjectAnalyzer(axes);
  for (const f of files) analyzer.addFile(f);
  return analyzer.finish();
}

/**
 * Pass 2, one file at a time, against the axes of the whole project (pass 1, or known before the
 * files are parsed): a file's syntax tree is not needed once addFile returns, so a caller that
 * parses file by file never holds every tree at once. Files are added in path order.
 */
export class ProjectAnalyzer {
  private readonly ctx: Ctx;
  private readonly project: CheckedProject = { releases: new Map(), platforms: new Map(), repositories: new Map(), registries: new Map(), fragments: new Map(), images: new Map() };
  /** Where each name was first declared (for duplicates): the span of its name only, so that no tree is kept. */
  private readonly firstSeen = new Map<string, Span>();

  constructor(readonly axes: Axes) {
    this.ctx = { diags: [], axes };
  }

  addFile(f: SourceFile): void {
    const { project, firstSeen } = this;
    const diags = this.ctx.diags;
    for (const n of f.nodes) {
      if (n.kind === 'when') {
        diags.push(error('E212', n.span, '`when` cannot be used at the top level of a file', { expected: 'a declaration: ' + TOP.join(', '), hint: 'put the condition inside an image, fragment or repository' }));
        continue;
      }
      if (!TOP.includes(n.name)) {
        unknownStatement(this.ctx, n, 'top-level', TOP, 'files declare releases, platforms, repositories, fragments and images');
        continue;
      }
      const name = n.args[0];
      if (!name || name.kind !== 'word') {
        diags.push(error('E208', n.span, `\`${n.name}\` needs a name`, { expected: 'a name', hint: `write \`${n.name} NAME { … }\`` }));
        continue;
      }
      const key = `${n.name === 'fragment' || n.name === 'image' ? 'body' : n.name}:${name.text}`;
      const prev = firstSeen.get(key);
      if (prev) {
        const kind = n.name === 'fragment' || n.name === 'image' ? 'image or fragment' : n.name;
        diags.push(error('E220', name.span, `duplicate ${kind} name \`${name.text}\``, {
          expected: 'a unique name',
          hint: 'rename one of them, or merge their contents',
          related: [{ message: 'first declared here', span: prev }],
        }));
        continue;
      }
      firstSeen.set(key, name.span);
      switch (n.name) {
        case 'release': {
          const r = checkRelease(this.ctx, n);
          if (r) project.releases.set(r.name, r);
          break;
        }
        case 'platform': {
          const p = checkPlatform(this.ctx, n);
          if (p) project.platforms.set(p.name, p);
          break;
        }
        case 'repository': {
          const r = checkRepository(this.ctx, n);
          if (r) project.repositories.set(r.id, r);
          break;
        }
        case 'registry': {
          const r = checkRegistry(this.ctx, n);
          if (r) project.registries!.set(r.name, r);
          break;
        }
        default: {
          const d = checkBodyDecl(this.ctx, n, f.path);
          if (d) (d.kind === 'image' ? project.images : project.fragments).set(d.name, d);
        }
      }
    }
  }

  finish(): AnalyzeResult {
    checkReferences(this.ctx, this.project);
    return { project: this.project, diagnostics: this.ctx.diags };
  }
}

function checkRelease(ctx: Ctx, st: Statement): ReleaseDecl | undefined {
  const name = checked(ctx, st.args[0]!, 'a release name such as 9 or 10-kitten', RELEASE_NAME, 'E221');
  if (!needBlock(ctx, st) || !name) return undefined;
  const r: Partial<ReleaseDecl> = { name, span: st.args[0]!.span, platforms: [] };
  for (const n of st.block!.nodes) {
    if (n.kind !== 'statement') {
      ctx.diags.push(error('E212', n.span, 'conditions cannot be used inside a release', { expected: 'releasever, version, platforms, builder' }));
      continue;
    }
    noBlock(ctx, n);
    const a = readArgs(n, {}, ctx.diags);
    switch (n.name) {
      case 'releasever':
        if (argCount(ctx, n, a.positionals, 1, 1, 'a number')) r.releasever = checked(ctx, a.positionals[0]!, 'a release number such as 9', /^[0-9]{1,3}$/, 'E316');
        break;
      case 'version':
        if (argCount(ctx, n, a.positionals, 1, 1, 'a version')) r.version = checked(ctx, a.positionals[0]!, 'a version such as 9.8', /^[0-9]+(\.[0-9]+)*(-[a-z0-9]+)?$/, 'E316');
        break;
      case 'platforms':
        if (argCount(ctx, n, a.positionals, 1, Infinity, 'at least one platform')) {
          for (const v of a.positionals) {
            if (!ctx.axes.platforms.has(v.text)) {
              ctx.diags.push(error('E302', v.span, `\`${v.text}\` is not a declared platform`, { expected: `one of: ${[...ctx.axes.platforms].sort().join(', ')}`, hint: didYouMean(v.text, ctx.axes.platforms) }));
            } else r.platforms!.push(named(v));
          }
        }
        break;
      case 'builder':
        if (argCount(ctx, n, a.positionals, 1, 1, 'an image reference')) r.builder = checked(ctx, a.positionals[0]!, 'an image reference', IMAGE_REF, 'E316');
        break;
      default:
        unknownStatement(ctx, n, 'release', ['releasever', 'version', 'platforms', 'builder']);
    }
  }
  if (!r.releasever) {
    ctx.diags.push(error('E222', st.args[0]!.span, `release \`${name}\` has no \`releasever\``, { expected: 'releasever N', hint: 'add `releasever 9` (the value dnf receives as --releasever)' }));
    return undefined;
  }
  r.version ??= name;
  return r as ReleaseDecl;
}

function checkPlatform(ctx: Ctx, st: Statement): PlatformDecl | undefined {
  const name = checked(ctx, st.args[0]!, 'a platform such as linux/amd64', PLATFORM_NAME, 'E221');
  if (!needBlock(ctx, st) || !name) return undefined;
  let basearch: string | undefined;
  let uname: string | undefined;
  for (const n of st.block!.nodes) {
    if (n.kind !== 'statement' || !['basearch', 'uname'].includes(n.name)) {
      if (n.kind === 'statement') unknownStatement(ctx, n, 'platform', ['basearch', 'uname']);
      else ctx.diags.push(error('E212', n.span, 'conditions cannot be used inside a platform', { expected: 'basearch, uname' }));
      continue;
    }
    noBlock(ctx, n);
    const a = readArgs(n, {}, ctx.diags);
    if (!argCount(ctx, n, a.positionals, 1, 1, 'an architecture')) continue;
    const v = checked(ctx, a.positionals[0]!, 'an architecture such as x86_64', ARCH, 'E316');
    if (n.name === 'basearch') basearch = v;
    else uname = v;
  }
  if (!basearch) {
    ctx.diags.push(error('E222', st.args[0]!.span, `platform \`${name}\` has no \`basearch\``, { expected: 'basearch ARCH', hint: 'add `basearch x86_64` (the RPM architecture)' }));
    return undefined;
  }
  return { name, span: st.args[0]!.span, basearch, uname: uname ?? basearch };
}

function checkRepository(ctx: Ctx, st: Statement): RepositoryDecl | undefined {
  const id = checked(ctx, st.args[0]!, 'a repository id', REPO_ID, 'E221', 'repository ids use letters, digits and . _ : -');
  if (!needBlock(ctx, st) || !id) return undefined;
  const walk = (nodes: Node[]): RepoItem[] => {
    const out: RepoItem[] = [];
    for (const n of nodes) {
      if (n.kind === 'when') {
        const condition = checkCondition(n.condition, ctx.axes, ctx.diags, { platformAllowed: false });
        out.push({ kind: 'when', condition, then: walk(n.then.nodes), otherwise: n.otherwise ? walk(n.otherwise.nodes) : [], span: n.span });
        continue;
      }
      noBlock(ctx, n);
      const a = readArgs(n, {}, ctx.diags);
      switch (n.name) {
        case 'name': {
          if (!argCount(ctx, n, a.positionals, 1, 1, 'a name')) break;
          const v = checked(ctx, a.positionals[0]!, 'a one-line name', checkSingleLine, 'E316');
          if (v !== undefined) out.push({ kind: 'set', key: 'name', value: v, span: n.span });
          break;
        }
        case 'baseurl':
        case 'mirrorlist':
        case 'gpgkey': {
          if (!argCount(ctx, n, a.positionals, 1, 1, 'a URL')) break;
          const v = checked(ctx, a.positionals[0]!, 'a URL', checkUrl, 'E350');
          if (v !== undefined) out.push({ kind: 'set', key: n.name, value: v, span: n.span });
          break;
        }
        case 'gpgcheck':
        case 'enabled': {
          const v = bool(ctx, a.positionals[0], n);
          if (v !== undefined) out.push({ kind: 'set', key: n.name, value: v, span: n.span });
          break;
        }
        default:
          unknownStatement(ctx, n, 'repository', ['name', 'baseurl', 'mirrorlist', 'gpgcheck', 'gpgkey', 'enabled']);
      }
    }
    return out;
  };
  return { id, span: st.args[0]!.span, body: walk(st.block!.nodes) };
}

function checkBodyDecl(ctx: Ctx, st: Statement, file: string): BodyDecl | undefined {
  const nameV = st.args[0]!;
  const name = checked(ctx, nameV, `an ${st.name} name`, IDENT, 'E221', 'names use lower-case letters, digits and -, and start with a letter');
  const parents: Named[] = [];
  const rest = st.args.slice(1);
  if (rest.length) {
    if (st.name === 'fragment') {
      ctx.diags.push(error('E223', rest[0]!.span, 'fragments cannot extend anything', { expected: '`{`', hint: 'a fragment can `use` other fragments inside its block' }));
    } else if (rest[0]!.kind !== 'word' || rest[0]!.text !== 'extends') {
      ctx.diags.push(error('E010', rest[0]!.span, `expected \`extends\` or \`{\` after the image name`, { expected: '`extends PARENT` or `{`', hint: didYouMean(rest[0]!.text, ['extends']) }));
    } else if (rest.length === 1) {
      ctx.diags.push(error('E208', rest[0]!.span, '`extends` needs at least one parent image', { expected: 'an image name' }));
    } else {
      for (const v of rest.slice(1)) {
        if (v.kind === 'list') pushAll(parents, (v.items ?? []).map(named));
        else parents.push(named(v));
      }
    }
  }
  if (!needBlock(ctx, st) || !name) return undefined;
  return { kind: st.name as 'image' | 'fragment', name, span: st.span, nameSpan: nameV.span, parents: fitted(parents), body: checkBody(ctx, st.block!.nodes), file };
}

function forEachItem(items: BodyItem[], f: (i: BodyItem) => void): void {
  for (const i of items) {
    f(i);
    if (i.kind === 'when') {
      forEachItem(i.then, f);
      forEachItem(i.otherwise, f);
    }
  }
}

/** Names that refer to other declarations: parents, fragments, repositories. Also cycles. */
function checkReferences(ctx: Ctx, p: CheckedProject): void {
  const bodies = [...p.images.values(), ...p.fragments.values()];
  for (const d of bodies) {
    for (const parent of d.parents) {
      if (!p.images.has(parent.name)) {
        const isFragment = p.fragments.has(parent.name);
        ctx.diags.push(error('E230', parent.span, `unknown parent image \`${parent.name}\``, {
          expected: 'the name of an image',
          hint: isFragment ? `\`${parent.name}\` is a fragment; write \`use ${parent.name}\` inside the image instead` : didYouMean(parent.name, p.images.keys()),
        }));
      }
    }
    forEachItem(d.body, (i) => {
      if (i.kind === 'use' && !p.fragments.has(i.fragment.name)) {
        const isImage = p.images.has(i.fragment.name);
        ctx.diags.push(error('E231', i.fragment.span, `unknown fragment \`${i.fragment.name}\``, {
          expected: 'the name of a fragment',
          hint: isImage ? `\`${i.fragment.name}\` is an image; images are inherited with \`extends\`` : didYouMean(i.fragment.name, p.fragments.keys()),
        }));
      }
      if (i.kind === 'setting' && i.setting.key === 'repositories') {
        for (const r of i.setting.value) {
          if (!p.repositories.has(r.name)) {
            ctx.diags.push(error('E232', r.span, `unknown repository \`${r.name}\``, { expected: 'a declared repository id', hint: didYouMean(r.name, p.repositories.keys()) }));
          }
        }
      }
      if (i.kind === 'when' && mentionsPlatform(i.condition)) {
        forEachItem(i.then.concat(i.otherwise), (inner) => {
          if (inner.kind !== 'step' && inner.kind !== 'when') {
            ctx.diags.push(error('E305', inner.span, 'only post-install steps can depend on the platform', {
              expected: 'a step inside `post { … }`',
              hint: 'package sets, settings and config are the same on every platform of a release; use `release` conditions for them',
            }));
          }
        });
      }
    });
  }
  // Cycles in `extends` (images) and in `use` (fragments).
  findCycles(ctx, p.images, (d) => d.parents.map((x) => x.name), 'E233', 'extends');
  findCycles(ctx, p.fragments, (d) => {
    const used: string[] = [];
    forEachItem(d.body, (i) => { if (i.kind === 'use') used.push(i.fragment.name); });
    return used;
  }, 'E234', 'use');
}

function findCycles(ctx: Ctx, decls: Map<string, BodyDecl>, edges: (d: BodyDecl) => string[], code: string, verb: string): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const report = (name: string, d: BodyDecl, path: string[]) => {
    const cycle = path.slice(path.indexOf(name)).concat(name);
    const key = [...cycle].sort().join(',');
    if (reported.has(key)) return;
    reported.add(key);
    ctx.diags.push(error(code, d.nameSpan, `\`${verb}\` forms a cycle: ${cycle.join(' → ')}`, {
      expected: `a ${verb} chain without cycles`,
      hint: verb === 'extends' ? 'an image cannot be its own ancestor; move what they share into a fragment' : 'a fragment cannot use itself, directly or indirectly',
    }));
  };
  // Depth-first with an explicit stack: a chain of `extends` or `use` can be as long as the input,
  // too long for recursion.
  for (const root of [...decls.keys()].sort()) {
    if (state.has(root)) continue;
    const path: string[] = [];
    const stack: { name: string; next: string[]; i: number }[] = [];
    const enter = (name: string, d: BodyDecl) => {
      state.set(name, 'visiting');
      path.push(name);
      stack.push({ name, next: edges(d), i: 0 });
    };
    enter(root, decls.get(root)!);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i === top.next.length) {
        state.set(top.name, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const name = top.next[top.i++]!;
      const d = decls.get(name);
      if (!d || state.get(name) === 'done') continue;
      if (state.get(name) === 'visiting') report(name, d, path);
      else enter(name, d);
    }
  }
}

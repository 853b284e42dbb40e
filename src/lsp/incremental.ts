// The compiler's phases run again after every edit, but only where the edit can matter: a file is
// re-parsed only when its text changed, phase 2 checks the (cached) syntax trees of the whole
// project (names are global and it is cheap), and phase 3 re-resolves only the images that depend
// on a declaration in a changed file. The result is the same set of diagnostics `almac check`
// reports for the same texts (test/lsp/incremental.test.ts compares the two after every edit).
import { error, fileSpan, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../model/ast.js';
import type { BodyDecl, BodyItem, CheckedProject } from '../model/checked.js';
import type { ImageSpec } from '../model/spec.js';
import { parseSource, type ParseResult } from '../phases/1-parse/parse.js';
import { analyze } from '../phases/2-analyze/analyze.js';
import { linearise, resolve } from '../phases/3-resolve/resolve.js';
import { DEFINITIONS_DIR } from '../project-files.js';

export interface Snapshot {
  files: Map<string, SourceFile>;
  diagnostics: Diagnostic[];
  project: CheckedProject;
  /** Images without releases. Resolved images are not kept (they are large): see resolveImage. */
  abstract: Set<string>;
  /** What this update recomputed: files re-parsed and images re-resolved. */
  work: { reparsed: string[]; resolved: number; fullResolve: boolean };
}

interface Resolved {
  abstract: boolean;
  diagnostics: Diagnostic[];
  /** Names of images and fragments whose declarations this image's resolution reads. */
  dependsOn: Set<string>;
}

/** `9/minimal: …`: the prefix phase 3 gives every diagnostic of one image. */
const IMAGE_PREFIX = /^[^/\s]+\/([a-z][a-z0-9-]*): /;

export class IncrementalCompiler {
  private parsed = new Map<string, { text: string; result: ParseResult }>();
  private resolved = new Map<string, Resolved>();
  /** Whether the last phase 3 run produced diagnostics that belong to no single image. */
  private hadGlobalResolveDiagnostics = false;

  /** Compile these sources (path relative to the project root → text); `extra` are reading errors. */
  update(sources: ReadonlyMap<string, string>, extra: readonly Diagnostic[] = []): Snapshot {
    const changed: string[] = [];
    const declaredBefore = new Set<string>();
    let axesTouched = this.resolved.size === 0;
    for (const [path, old] of this.parsed) {
      if (sources.get(path) === old.text) continue;
      changed.push(path);
      axesTouched = collectDeclared(old.result.file, declaredBefore) || axesTouched;
      this.parsed.delete(path);
    }
    const reparsed: string[] = [];
    for (const [path, text] of sources) {
      if (this.parsed.has(path)) continue;
      this.parsed.set(path, { text, result: parseSource(path, text) });
      reparsed.push(path);
      if (!changed.includes(path)) changed.push(path);
    }
    const declaredNow = new Set<string>();
    for (const p of changed) {
      const r = this.parsed.get(p);
      if (r) axesTouched = collectDeclared(r.result.file, declaredNow) || axesTouched;
    }

    const paths = [...this.parsed.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const files = paths.map((p) => this.parsed.get(p)!.result.file);
    const diagnostics: Diagnostic[] = [...extra];
    for (const p of paths) diagnostics.push(...this.parsed.get(p)!.result.diagnostics);
    const a = analyze(files);
    diagnostics.push(...a.diagnostics);

    const project = a.project;
    for (const name of this.resolved.keys()) if (!project.images.has(name)) this.resolved.delete(name);
    const touched = new Set([...declaredBefore, ...declaredNow]);
    const full = axesTouched || this.hadGlobalResolveDiagnostics;
    const affected = [...project.images.keys()].filter((name) => {
      if (full) return true;
      const r = this.resolved.get(name);
      return !r || touched.has(name) || [...r.dependsOn].some((d) => touched.has(d));
    });
    if (changed.length || full) this.resolveImages(project, affected);

    const abstract = new Set<string>();
    const resolveDiagnostics: Diagnostic[] = [];
    for (const [name, r] of this.resolved) {
      if (r.abstract) abstract.add(name);
      resolveDiagnostics.push(...r.diagnostics);
    }
    // As compileSources: whole-image checks wait until the declarations are sound.
    if (!hasErrors(diagnostics)) diagnostics.push(...resolveDiagnostics);
    if (sources.size === 0) {
      diagnostics.push(error('E100', fileSpan(DEFINITIONS_DIR), 'no definitions found', { expected: `.alma files under ${DEFINITIONS_DIR}/`, hint: 'run almac from the project root, or pass --root' }));
    }
    return {
      files: new Map(paths.map((p) => [p, this.parsed.get(p)!.result.file])),
      diagnostics: sortDiagnostics(diagnostics),
      project,
      abstract,
      work: { reparsed, resolved: affected.length, fullResolve: full },
    };
  }

  private resolveImages(project: CheckedProject, names: string[]): void {
    const r = resolve(project, names);
    const fresh = new Map<string, Resolved>(names.map((n) => [n, { abstract: false, diagnostics: [], dependsOn: dependencies(project, n) }]));
    for (const n of r.abstract) {
      const f = fresh.get(n);
      if (f) f.abstract = true;
    }
    let global = false;
    for (const d of r.diagnostics) {
      const owner = fresh.get(IMAGE_PREFIX.exec(d.message)?.[1] ?? '');
      if (owner) owner.diagnostics.push(d);
      else global = true;
    }
    if (global && names.length < project.images.size) return this.resolveImages(project, [...project.images.keys()]);
    if (global) {
      // Diagnostics of the project as a whole (a too-deep `extends` chain): kept with the first image.
      const first = fresh.values().next().value;
      for (const d of r.diagnostics) if (!IMAGE_PREFIX.test(d.message)) first?.diagnostics.push(d);
    }
    this.hadGlobalResolveDiagnostics = global;
    for (const [n, f] of fresh) this.resolved.set(n, f);
  }
}

/** One image resolved for each of its releases (for hover), from a snapshot's checked project. */
export function resolveImage(project: CheckedProject, name: string): ImageSpec[] {
  return resolve(project, [name]).images;
}

/** Adds the image and fragment names a file declares; true when it also declares a release, platform or repository. */
function collectDeclared(file: SourceFile, into: Set<string>): boolean {
  let axes = false;
  for (const n of file.nodes) {
    if (n.kind !== 'statement') continue;
    if (n.name === 'image' || n.name === 'fragment') {
      const name = n.args[0];
      if (name) into.add(name.text);
    } else axes = true; // releases, platforms, repositories, and anything unknown at the top level
  }
  return axes;
}

/** Every image and fragment name (declared or not) that resolving `name` reads. */
function dependencies(project: CheckedProject, name: string): Set<string> {
  const out = new Set<string>([name]);
  const visitBody = (items: BodyItem[]) => {
    for (const it of items) {
      if (it.kind === 'when') {
        visitBody(it.then);
        visitBody(it.otherwise);
      } else if (it.kind === 'use' && !out.has(it.fragment.name)) {
        out.add(it.fragment.name);
        const f = project.fragments.get(it.fragment.name);
        if (f) visitBody(f.body);
      }
    }
  };
  const chain: BodyDecl[] = linearise(project, name);
  for (const d of chain) {
    out.add(d.name);
    for (const p of d.parents) out.add(p.name);
    visitBody(d.body);
  }
  return out;
}

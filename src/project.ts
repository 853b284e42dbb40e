// Runs the compiler phases over a project: definitions/ → diagnostics, resolved images and the
// files that belong in generated/. Pure apart from reading the definition files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { error, fileSpan, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import type { SourceFile } from './model/ast.js';
import type { CheckedProject } from './model/checked.js';
import type { ImageSpec } from './model/spec.js';
import { parseSource } from './phases/1-parse/parse.js';
import { analyze } from './phases/2-analyze/analyze.js';
import { resolve } from './phases/3-resolve/resolve.js';
import { renderAll } from './phases/4-render/render.js';

export const DEFINITIONS_DIR = 'definitions';
export const GENERATED_DIR = 'generated';

export interface Compilation {
  root: string;
  files: SourceFile[];
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  project?: CheckedProject;
  images: ImageSpec[];
  abstract: string[];
  /** Present only when there are no errors. */
  outputs?: Map<string, string>;
  timings: Record<string, number>;
}

/** All .alma files under dir, as paths relative to root with "/" separators, sorted. */
export function findDefinitionFiles(root: string, dir = DEFINITIONS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (e.endsWith('.alma')) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  // Byte order, not locale order: the same on every machine.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Sort images by release (releasever, then name) and image name, independent of input order. */
function orderImages(images: ImageSpec[]): ImageSpec[] {
  const key = (s: ImageSpec) => [Number(s.releasever), s.release, s.image] as const;
  return [...images].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || (ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0) || (ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0);
  });
}

export function compileSources(root: string, sources: Map<string, string>, opts: { render?: boolean } = {}): Compilation {
  const timings: Record<string, number> = {};
  const t = (k: string, t0: number) => (timings[k] = (timings[k] ?? 0) + performance.now() - t0);
  const diagnostics: Diagnostic[] = [];
  let t0 = performance.now();
  const files: SourceFile[] = [];
  for (const [path, text] of [...sources].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const r = parseSource(path, text);
    files.push(r.file);
    diagnostics.push(...r.diagnostics);
  }
  t('parse', t0);
  t0 = performance.now();
  const a = analyze(files);
  diagnostics.push(...a.diagnostics);
  t('analyze', t0);
  t0 = performance.now();
  const r = resolve(a.project);
  diagnostics.push(...r.diagnostics);
  const images = orderImages(r.images);
  t('resolve', t0);
  const result: Compilation = { root, files, sources, diagnostics: sortDiagnostics(diagnostics), project: a.project, images, abstract: r.abstract, timings };
  if (sources.size === 0) {
    result.diagnostics.push(error('E100', fileSpan(DEFINITIONS_DIR), 'no definitions found', { expected: `.alma files under ${DEFINITIONS_DIR}/`, hint: 'run almac from the project root, or pass --root' }));
  }
  if (!hasErrors(result.diagnostics) && opts.render !== false) {
    t0 = performance.now();
    result.outputs = renderAll(images);
    t('render', t0);
  }
  return result;
}

export function readSources(root: string): { sources: Map<string, string>; diagnostics: Diagnostic[] } {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const f of findDefinitionFiles(root)) {
    try {
      const buf = readFileSync(join(root, f));
      const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
      sources.set(f, text.replace(/^\uFEFF/, ''));
    } catch (e) {
      diagnostics.push(error('E101', fileSpan(f), (e as Error).name === 'TypeError' ? 'this file is not valid UTF-8' : `cannot read this file: ${(e as Error).message}`, { expected: 'a readable UTF-8 text file' }));
    }
  }
  return { sources, diagnostics };
}

export function compileProject(root: string, opts: { render?: boolean } = {}): Compilation {
  const t0 = performance.now();
  const { sources, diagnostics } = readSources(root);
  const readMs = performance.now() - t0;
  const c = compileSources(root, sources, opts);
  c.timings['read'] = readMs;
  c.diagnostics = sortDiagnostics([...diagnostics, ...c.diagnostics]);
  if (diagnostics.length) c.outputs = undefined;
  return c;
}

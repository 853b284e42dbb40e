// Runs the compiler phases over a project: definitions/ → diagnostics, resolved images and the
// files that belong in generated/. Pure apart from reading the definition files.
import { error, fileSpan, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import type { CheckedProject } from './model/checked.js';
import type { ImageSpec } from './model/spec.js';
import { parseSource } from './phases/1-parse/parse.js';
import { ProjectAnalyzer } from './phases/2-analyze/analyze.js';
import { collectAxes, guessAxes, noAxes, sameAxes } from './phases/2-analyze/axes.js';
import { resolve } from './phases/3-resolve/resolve.js';
import { renderAll } from './phases/4-render/render.js';

export { renderEach } from './phases/4-render/render.js';
import { DEFINITIONS_DIR, readSources } from './project-files.js';
import { pushAll } from './util/arrays.js';
import { allowOptimizingTiers } from './util/tiering.js';
import { nowMs } from './util/clock.js';

// Reading the definitions lives in project-files.ts (see there for what is read, and why).
export { DEFINITIONS_DIR, GENERATED_DIR, findDefinitionFiles, readSources } from './project-files.js';

export interface Compilation {
  root: string;
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  project?: CheckedProject;
  images: ImageSpec[];
  abstract: string[];
  /** Present only when there are no errors. */
  outputs?: Map<string, string>;
  timings: Record<string, number>;
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
  const t = (k: string, t0: number) => (timings[k] = (timings[k] ?? 0) + nowMs() - t0);
  const diagnostics: Diagnostic[] = [];
  let chars = 0;
  for (const text of sources.values()) chars += text.length;
  allowOptimizingTiers(chars);
  const sorted = [...sources].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // Each file is parsed, analysed and dropped in turn: the syntax trees are most of a large
  // compile's memory (about 25 times the text), and nothing after the analysis reads them. That
  // needs the project's axes before any file is parsed: they are read ahead from the text, and if
  // the trees turn out to declare others, the files are parsed and analysed again against the
  // axes the trees declared (2-analyze/axes.ts), so the answer never depends on the guess.
  let t0 = nowMs();
  const guessed = guessAxes(sources.values());
  const declared = noAxes();
  const analyzer = new ProjectAnalyzer(guessed);
  t('analyze', t0);
  for (const [path, text] of sorted) {
    t0 = nowMs();
    const r = parseSource(path, text);
    pushAll(diagnostics, r.diagnostics);
    t('parse', t0);
    t0 = nowMs();
    collectAxes(r.file, declared);
    analyzer.addFile(r.file);
    t('analyze', t0);
  }
  t0 = nowMs();
  let a = analyzer.finish();
  if (!sameAxes(declared, guessed)) {
    const again = new ProjectAnalyzer(declared);
    for (const [path, text] of sorted) again.addFile(parseSource(path, text).file);
    a = again.finish();
  }
  pushAll(diagnostics, a.diagnostics);
  t('analyze', t0);
  t0 = nowMs();
  const r = resolve(a.project);
  // Whole-image checks assume sound declarations; after errors in them they mostly repeat those
  // errors in other words (a misspelt `install` also "installs no packages"), so they wait.
  if (!hasErrors(diagnostics)) pushAll(diagnostics, r.diagnostics);
  const images = orderImages(r.images);
  t('resolve', t0);
  const result: Compilation = { root, sources, diagnostics: sortDiagnostics(diagnostics), project: a.project, images, abstract: r.abstract, timings };
  if (sources.size === 0) {
    result.diagnostics.push(error('E100', fileSpan(DEFINITIONS_DIR), 'no definitions found', { expected: `.alma files under ${DEFINITIONS_DIR}/`, hint: 'run almac from the project root, or pass --root' }));
  }
  if (!hasErrors(result.diagnostics) && opts.render !== false) {
    t0 = nowMs();
    result.outputs = renderAll(images);
    t('render', t0);
  }
  return result;
}

export function compileProject(root: string, opts: { render?: boolean } = {}): Compilation {
  const t0 = nowMs();
  const { sources, diagnostics } = readSources(root);
  const readMs = nowMs() - t0;
  const c = compileSources(root, sources, opts);
  c.timings['read'] = readMs;
  c.diagnostics = sortDiagnostics([...diagnostics, ...c.diagnostics]);
  if (diagnostics.length) c.outputs = undefined;
  return c;
}

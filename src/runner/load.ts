// The images to build, fast. Compiling the definitions costs ~0.4 s (most of it loading the parser),
// which alone would eat the budget of a no-op `almac build`. So the resolved images are cached in the
// build directory, keyed by the bytes of every definition file and a fingerprint of the compiler
// itself; on a hit the compiler is not even loaded. Either way, every selected image's generated files
// must be exactly what the definitions render to: a stale or hand-edited generated/ is refused, because
// the build would not be what the definitions (and their assertions) say.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ImageSpec } from '../model/spec.js';
import { sha256 } from './state.js';

// Keep in step with src/project.ts (not imported: loading it loads the whole compiler).
const DEFINITIONS_DIR = 'definitions';
export const GENERATED_DIR = 'generated';

export interface LoadedProject {
  images: ImageSpec[];
  /** sha256 of what each generated file (path relative to generated/) must contain. */
  rendered: Record<string, string>;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  fromCache: boolean;
}

function walk(dir: string, root: string, pred: (name: string) => boolean, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, root, pred, out);
    else if (pred(e)) out.push(relative(root, p).split(sep).join('/'));
  }
}

/** The compiler's own fingerprint: sizes and mtimes of its compiled modules and templates. */
function compilerFingerprint(): string {
  const dist = dirname(dirname(fileURLToPath(import.meta.url))); // dist/
  const pkg = dirname(dist);
  const files: string[] = [];
  walk(join(dist, 'phases'), dist, (n) => n.endsWith('.js'), files);
  walk(join(dist, 'model'), dist, (n) => n.endsWith('.js'), files);
  files.push('project.js');
  const parts = files.sort().map((f) => {
    try {
      const st = statSync(join(dist, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${f}:-`;
    }
  });
  const tpl: string[] = [];
  walk(join(pkg, 'templates'), pkg, () => true, tpl);
  for (const f of tpl.sort()) {
    try {
      const st = statSync(join(pkg, f));
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      // ignore
    }
  }
  return sha256(parts.join('\n'));
}

interface CacheFile {
  key: string;
  images: ImageSpec[];
  rendered: Record<string, string>;
}

export async function loadProject(root: string, buildDir: string, opts: { writeCache?: boolean } = {}): Promise<LoadedProject> {
  const files: string[] = [];
  walk(join(root, DEFINITIONS_DIR), root, (n) => n.endsWith('.alma'), files);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: (string | Buffer)[] = [compilerFingerprint()];
  for (const f of files) {
    parts.push(f);
    try {
      parts.push(readFileSync(join(root, f)));
    } catch {
      parts.push('<unreadable>');
    }
  }
  const key = sha256(...parts);
  const cachePath = join(buildDir, 'specs-cache.json');
  try {
    const c = JSON.parse(readFileSync(cachePath, 'utf8')) as CacheFile;
    if (c.key === key && Array.isArray(c.images)) return { images: c.images, rendered: c.rendered, diagnostics: [], sources: new Map(), fromCache: true };
  } catch {
    // no cache yet
  }
  const { compileProject } = await import('../project.js');
  const { hasErrors } = await import('../diagnostics/diagnostic.js');
  const c = compileProject(root);
  if (hasErrors(c.diagnostics) || !c.outputs) return { images: [], rendered: {}, diagnostics: c.diagnostics, sources: c.sources, fromCache: false };
  const rendered: Record<string, string> = {};
  for (const s of c.images) {
    for (const p of [s.outputs.containerfile, s.outputs.kickstart]) {
      const text = c.outputs.get(p);
      if (text !== undefined) rendered[p] = sha256(Buffer.from(text, 'utf8'));
    }
  }
  if (opts.writeCache === false) return { images: c.images, rendered, diagnostics: c.diagnostics, sources: c.sources, fromCache: false };
  try {
    mkdirSync(buildDir, { recursive: true });
    const tmp = `${cachePath}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ key, images: c.images, rendered } satisfies CacheFile));
    renameSync(tmp, cachePath);
  } catch {
    // a cache we cannot write only costs time
  }
  return { images: c.images, rendered, diagnostics: c.diagnostics, sources: c.sources, fromCache: false };
}

export { selectImages } from '../select.js';

// The images to build, fast. Compiling the definitions costs ~0.4 s (most of it loading the parser),
// which alone would eat the budget of a no-op `almac build`. So the resolved images are kept in the
// build directory, keyed by the same fingerprint `check`'s memo uses (output/clean-memo.ts): the
// digest of this build of almac and the content digest of every definition file as the compiler's
// own reader (project-files.ts) reads it. On a hit the compiler is not loaded; on a miss the
// definitions that were digested are the ones compiled. Either way, every selected image's
// generated files must be exactly what the definitions render to: a stale or hand-edited generated/
// is refused, because the build would not be what the definitions (and their assertions) say.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ImageSpec } from '../model/spec.js';
import { compilerFingerprint, digestFiles } from '../output/clean-memo.js';
import { GENERATED_DIR, readSources } from '../project-files.js';
import { sha256 } from './state.js';

export { GENERATED_DIR };

export interface LoadedProject {
  images: ImageSpec[];
  /** sha256 of what each generated file (path relative to generated/) must contain. */
  rendered: Record<string, string>;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  fromCache: boolean;
}

interface CacheFile {
  key: string;
  images: ImageSpec[];
  rendered: Record<string, string>;
}

const CACHE_FILE = 'specs-cache.json';

export async function loadProject(root: string, buildDir: string, opts: { writeCache?: boolean } = {}): Promise<LoadedProject> {
  const read = readSources(root);
  const key = sha256(compilerFingerprint(), digestFiles(read.sources));
  const cachePath = join(buildDir, CACHE_FILE);
  if (!read.diagnostics.length) {
    try {
      const c = JSON.parse(readFileSync(cachePath, 'utf8')) as CacheFile;
      if (c.key === key && Array.isArray(c.images)) return { images: c.images, rendered: c.rendered, diagnostics: [], sources: read.sources, fromCache: true };
    } catch {
      // no cache yet
    }
  }
  const { compileSources } = await import('../project.js');
  const { hasErrors } = await import('../diagnostics/diagnostic.js');
  const c = compileSources(root, read.sources);
  const diagnostics = [...read.diagnostics, ...c.diagnostics];
  if (hasErrors(diagnostics) || !c.outputs) return { images: [], rendered: {}, diagnostics, sources: c.sources, fromCache: false };
  const rendered: Record<string, string> = {};
  for (const s of c.images) {
    for (const p of [s.outputs.containerfile, s.outputs.kickstart]) {
      const text = c.outputs.get(p);
      if (text !== undefined) rendered[p] = sha256(Buffer.from(text, 'utf8'));
    }
  }
  if (opts.writeCache !== false) {
    try {
      mkdirSync(buildDir, { recursive: true });
      const tmp = `${cachePath}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify({ key, images: c.images, rendered } satisfies CacheFile));
      renameSync(tmp, cachePath);
    } catch {
      // a cache we cannot write only costs time
    }
  }
  return { images: c.images, rendered, diagnostics, sources: c.sources, fromCache: false };
}

export { selectImages } from '../select.js';

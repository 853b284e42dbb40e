// One project as the editor sees it: the definitions on disk, shadowed by the buffers that are
// open (saved or not), compiled incrementally after every change. Files outside the project's
// definitions/ are checked on their own (syntax only: names are resolved within a project).
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../model/ast.js';
import type { ImageSpec } from '../model/spec.js';
import { parseSource } from '../phases/1-parse/parse.js';
import { CONTROL_OR_LINE_BREAK } from '../phases/2-analyze/grammars.js';
import { DEFINITIONS_DIR, GENERATED_DIR, readSources } from '../project-files.js';
import { IncrementalCompiler, resolveImage, type Snapshot } from './incremental.js';
import { SymbolIndex } from './symbols.js';

export class Workspace {
  private disk = new Map<string, string>();
  private readDiagnostics: Diagnostic[] = [];
  private open = new Map<string, string>();
  /** Open files outside definitions/: path (absolute) → text. */
  private loose = new Map<string, string>();
  private compiler = new IncrementalCompiler();
  readonly index = new SymbolIndex();
  snapshot!: Snapshot;
  private packageNames?: string[];

  constructor(readonly root: string) {
    this.reloadDisk();
  }

  /** The project-relative path ("definitions/…/x.alma") of a file of this project, if it is one. */
  projectPath(absolute: string): string | undefined {
    const rel = relative(this.root, absolute).split(sep).join('/');
    return rel.startsWith(DEFINITIONS_DIR + '/') && rel.endsWith('.alma') ? rel : undefined;
  }

  absolute(projectPath: string): string {
    return join(this.root, ...projectPath.split('/'));
  }

  reloadDisk(): void {
    const { sources, diagnostics } = readSources(this.root);
    this.disk = sources;
    this.readDiagnostics = diagnostics;
    this.packageNames = undefined;
    this.refresh();
  }

  /**
   * One file changed on disk (saved, created, deleted): re-read just it. Anything unusual (a link,
   * an unreadable file, an odd name) re-reads the whole tree, which reports it as `almac check` does.
   */
  reloadFile(absolute: string): void {
    const p = this.projectPath(absolute);
    if (!p) return;
    let text: string | undefined;
    try {
      const st = lstatSync(absolute, { throwIfNoEntry: false });
      if (st && !st.isFile()) return this.reloadDisk();
      text = st ? new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(absolute)).replace(/^\uFEFF/, '') : undefined;
    } catch {
      return this.reloadDisk();
    }
    if (CONTROL_OR_LINE_BREAK.test(p) || this.readDiagnostics.some((d) => d.span.file === p)) return this.reloadDisk();
    if (text === undefined) this.disk.delete(p);
    else this.disk.set(p, text);
    this.packageNames = undefined;
  }

  /** A buffer was opened or changed (absolute path). */
  setBuffer(absolute: string, text: string): void {
    const p = this.projectPath(absolute);
    if (p) this.open.set(p, text);
    else this.loose.set(absolute, text);
  }

  /** A buffer was closed: the file on disk counts again. */
  closeBuffer(absolute: string): void {
    const p = this.projectPath(absolute);
    if (p) this.open.delete(p);
    else this.loose.delete(absolute);
  }

  sources(): Map<string, string> {
    const s = new Map(this.disk);
    for (const [p, t] of this.open) s.set(p, t);
    return s;
  }

  /** Re-run the phases on what changed. */
  refresh(): Snapshot {
    // A file that cannot be read from disk but is open in the editor counts as its buffer.
    const read = this.readDiagnostics.filter((d) => !this.open.has(d.span.file));
    this.snapshot = this.compiler.update(this.sources(), read);
    this.index.update(this.snapshot.files);
    return this.snapshot;
  }

  /** Diagnostics by file: project-relative paths for project files, absolute paths for loose ones. */
  diagnosticsByFile(): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>();
    for (const d of this.snapshot.diagnostics) {
      if (d.span.file === DEFINITIONS_DIR) continue; // "no definitions": a project problem, logged instead
      const list = out.get(d.span.file) ?? [];
      list.push(d);
      out.set(d.span.file, list);
    }
    for (const [abs, text] of this.loose) out.set(abs, parseSource(abs, text).diagnostics);
    return out;
  }

  /** The current text of a project file or loose file. */
  text(path: string): string | undefined {
    return this.open.get(path) ?? this.disk.get(path) ?? this.loose.get(path);
  }

  /** The syntax tree of a project file (from the last compilation) or of a loose buffer. */
  file(path: string): SourceFile | undefined {
    const f = this.snapshot.files.get(path);
    if (f) return f;
    const t = this.loose.get(path);
    return t === undefined ? undefined : parseSource(path, t).file;
  }

  imagesNamed(name: string): ImageSpec[] {
    return resolveImage(this.snapshot.project, name).sort((a, b) => Number(a.releasever) - Number(b.releasever) || (a.release < b.release ? -1 : 1));
  }

  /** Package names from generated/locks/*.lock.json, when locks exist. */
  lockedPackages(): string[] {
    if (this.packageNames) return this.packageNames;
    const names = new Set<string>();
    const dir = join(this.root, GENERATED_DIR, 'locks');
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).filter((f) => f.endsWith('.lock.json'));
    } catch {
      // No locks: nothing to offer.
    }
    for (const f of entries) {
      try {
        const lock = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { packages?: { name?: unknown }[] };
        for (const p of lock.packages ?? []) if (typeof p.name === 'string') names.add(p.name);
      } catch {
        // A broken lock is reported by `almac check`; completion just skips it.
      }
    }
    this.packageNames = [...names].sort();
    return this.packageNames;
  }
}

/** The project a file belongs to: the nearest directory above it that holds definitions/. */
export function projectRootOf(file: string): string | undefined {
  let d = dirname(file);
  for (;;) {
    try {
      if (existsSync(join(d, DEFINITIONS_DIR)) && statSync(join(d, DEFINITIONS_DIR)).isDirectory()) return d;
    } catch {
      // unreadable: keep looking upwards
    }
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

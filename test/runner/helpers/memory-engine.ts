// An Engine that keeps its images in memory, for testing the runner's orchestration (skipping,
// scheduling, fail-fast, keep-going, verification, summaries, exit codes) without a container engine.
// Builds "succeed" instantly or after a delay, or fail as a test tells them to; an image's root is a
// temporary directory holding /etc/<image> for each image whose build made it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelledError,
  CommandError,
  EnvironmentError,
  qualifyName,
  type BuildRequest,
  type CommandSink,
  type ContainerRunOptions,
  type Engine,
  type EngineCapabilities,
  type ExecResult,
  type ImageChanges,
  type ImageInfo,
  type ImageRecord,
  type ImageRoot,
} from '../../../src/runner/engine/index.js';

interface MemoryImage {
  id: string;
  names: string[];
  /** Paths (without the leading /) that exist in the image. */
  files: string[];
  /** Contents of some of them (the others are empty). */
  contents?: Record<string, string>;
  /** What `uname -m` prints in a container of it. */
  uname?: string;
}

/** The fixture project's release versions (test/fixtures/orchestration), for /etc/almalinux-release. */
const VERSIONS: Record<string, string> = { '8': '8.10', '9': '9.8', '10': '10.2' };
const UNAME: Record<string, string> = { 'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64', 'linux/386': 'x86_64', 'linux/ppc64le': 'ppc64le', 'linux/s390x': 's390x' };

const ok = (stdout = ''): ExecResult => ({ argv: [], code: 0, signal: null, stdout, stderr: '', timedOut: false, aborted: false, durationMs: 0 });

export class MemoryEngine implements Engine {
  readonly name = 'podman' as const;
  readonly bin = 'memory-engine';
  readonly env: Record<string, string> = {};
  readonly envVars: Record<string, string> = {};
  readonly store = undefined;
  readonly capabilities: EngineCapabilities = { pidNamespaceBuilds: false, mountsImages: true, manifestLists: false };

  readonly images = new Map<string, MemoryImage>();
  /** Every call, in order (`build localhost/almac/9-alpha:containerfile-amd64`, `tag …`). */
  readonly calls: string[] = [];
  /** Builds whose tag contains one of these fail with exit code 1. */
  failBuildsOf = new Set<string>();
  /** Builds whose tag contains one of these fail because the machine lacks something (exit 3). */
  environmentFailuresOf = new Set<string>();
  /** Files a build of a tag containing the key leaves out (an assertion can fail). */
  omitFiles = new Map<string, string[]>();
  /** How long a build takes. */
  buildMs = 0;
  running = 0;
  maxRunning = 0;
  private counter = 0;
  private readonly roots: string[] = [];

  constructor(baseImages: string[]) {
    for (const n of baseImages) this.add(n, []);
  }

  private add(name: string, files: string[]): MemoryImage {
    const id = createHash('sha256').update(`${name} ${this.counter++}`).digest('hex');
    for (const img of this.images.values()) img.names = img.names.filter((x) => x !== qualifyName(name));
    const img = { id, names: [qualifyName(name)], files };
    this.images.set(id, img);
    return img;
  }

  async listImages(): Promise<ImageRecord[]> {
    return [...this.images.values()].map((i) => ({ id: i.id, names: [...i.names], size: 1000 }));
  }

  async inspect(ref: string): Promise<ImageInfo> {
    const i = this.images.get(ref) ?? [...this.images.values()].find((x) => x.names.includes(qualifyName(ref)));
    if (!i) throw new CommandError(`no such image ${ref}`);
    return { id: i.id, size: 4_400_000, env: {}, labels: {}, layers: 1, repoTags: i.names };
  }

  async build(req: BuildRequest, sink?: CommandSink): Promise<string> {
    this.calls.push(`build ${req.tag}`);
    if (sink?.dryRun) return '$IMAGE_ID';
    const signal = (sink as { signal?: AbortSignal } | undefined)?.signal;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.buildMs) {
        await new Promise<void>((res) => {
          const t = setTimeout(res, this.buildMs);
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            res();
          }, { once: true });
        });
      }
      if (signal?.aborted) throw new CancelledError();
      const has = (set: Iterable<string>): boolean => [...set].some((k) => req.tag.includes(k));
      if (has(this.environmentFailuresOf)) throw new EnvironmentError(`the build of ${req.tag} needs something this machine lacks`);
      if (has(this.failBuildsOf)) throw new CommandError(`podman build of ${req.containerfile} failed (exit code 1)`, { ...ok(), code: 1, stderr: 'RUN step failed' });
      const image = /almac\/[^-]+-([a-z]+):/.exec(req.tag)?.[1] ?? 'x';
      const omit = [...this.omitFiles].filter(([k]) => req.tag.includes(k)).flatMap(([, v]) => v);
      const files = ['etc/alpha', 'etc/beta', 'etc/gamma', `etc/${image}`, 'etc/almalinux-release'].filter((f, i, a) => a.indexOf(f) === i && !omit.includes(f));
      const release = /almac\/([^-]+)-/.exec(req.tag)?.[1] ?? '9';
      const img = this.add(req.tag, files);
      img.contents = { 'etc/almalinux-release': `AlmaLinux release ${VERSIONS[release] ?? release} (Memory)\n` };
      img.uname = UNAME[req.platform ?? 'linux/amd64'] ?? 'x86_64';
      return img.id;
    } finally {
      this.running--;
    }
  }

  async pull(ref: string): Promise<ExecResult> {
    this.calls.push(`pull ${ref}`);
    return { ...ok(), code: 125, stderr: `${ref}: offline` };
  }

  async tag(id: string, refs: string[]): Promise<void> {
    this.calls.push(`tag ${id.slice(0, 12)} ${refs.join(' ')}`);
    const img = this.images.get(id);
    if (!img) throw new CommandError(`no such image ${id}`);
    for (const r of refs) {
      for (const other of this.images.values()) other.names = other.names.filter((n) => n !== qualifyName(r));
      img.names.push(qualifyName(r));
    }
  }

  async removeImages(refs: string[]): Promise<ExecResult> {
    this.calls.push(`rmi ${refs.map((r) => r.slice(0, 12)).join(' ')}`);
    for (const r of refs) this.images.delete(r);
    return ok();
  }

  async importRoot(_tar: string, ref: string, _changes: ImageChanges): Promise<string> {
    this.calls.push(`import ${ref}`);
    return this.add(ref, ['etc/alpha', 'etc/beta', 'etc/gamma']).id;
  }

  async mountImage(id: string): Promise<ImageRoot> {
    const img = this.images.get(id);
    if (!img) throw new CommandError(`no such image ${id}`);
    const dir = mkdtempSync(join(tmpdir(), 'almac-memory-root-'));
    this.roots.push(dir);
    for (const f of img.files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), img.contents?.[f] ?? '');
    }
    const release = (): void => rmSync(dir, { recursive: true, force: true });
    return { path: dir, release: async () => release(), releaseSync: release };
  }

  async run(image: string, argv: string[], _o?: ContainerRunOptions): Promise<ExecResult> {
    this.calls.push(`run ${image.slice(0, 12)} ${argv.join(' ')}`);
    if (argv.join(' ') === 'uname -m') return ok(`${this.images.get(image)?.uname ?? 'x86_64'}\n`);
    return argv[0] === 'false' ? { ...ok(), code: 1 } : ok();
  }

  removeContainersSync(): void {}
  workingContainersSync(): string[] {
    return [];
  }
  removeWorkingContainersSync(): void {}

  async push(): Promise<void> {
    throw new CommandError('the memory engine has no registry');
  }
  async createManifest(): Promise<void> {
    throw new CommandError('the memory engine has no manifest lists');
  }
  async addToManifest(): Promise<void> {
    throw new CommandError('the memory engine has no manifest lists');
  }
  async pushManifest(): Promise<void> {
    throw new CommandError('the memory engine has no manifest lists');
  }
  async removeManifest(): Promise<void> {}

  /** Removes the temporary image roots. */
  dispose(): void {
    for (const d of this.roots.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

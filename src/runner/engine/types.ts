// The one Engine interface of the runner. PodmanEngine, BuildahEngine and DockerEngine (one class per
// engine, in this folder) implement it for `almac build` and the tests alike; the orchestration tests
// use an in-memory implementation. Methods that run commands as part of a build take a CommandSink
// (../job.ts JobContext: the build's log, its abort signal, --dry-run printing); without one they run
// at once (directSink) and throw CommandError on failure.
import type { EngineEnvironment } from './environment.js';
import type { EngineName } from './detect.js';
import type { CommandSink, ExecResult } from './process.js';
import type { OciPlatform } from '../platform.js';

export type { EngineName };

/** One image of the store, as listed in one engine call. */
export interface ImageRecord {
  /** Full image id (64 hex digits, no `sha256:`). */
  id: string;
  /** Fully qualified names as the engine reports them (`localhost/almalinux/9-minimal:9`). */
  names: string[];
  size: number;
}

export interface BuildRequest {
  containerfile: string;
  contextDir: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** One platform, e.g. linux/amd64; also passed as the TARGETPLATFORM build arg unless buildArgs sets it. */
  platform?: string;
  /**
   * Add the built image to this manifest list (podman/buildah `--manifest`), creating it when missing.
   * Multi-platform builds build once per platform into one list.
   */
  manifest?: string;
  /** 'oci' (default; runc) or 'chroot' (no runtime needed, but shares the host network). */
  isolation?: 'oci' | 'chroot';
  /** Default 'none' for OCI isolation (podman build ignores containers.conf's netns); chroot: host only. */
  network?: string;
  /** Default false: with layers every multi-stage build leaves a <none> stage image (~250 MB) behind. */
  layers?: boolean;
  /** Default 'never': a missing SYSBASE fails with "image not known" instead of a registry lookup. */
  pull?: 'never' | 'missing' | 'always';
  target?: string;
  labels?: Record<string, string>;
  /** Where the engine writes the image id; default a file in the engine's temporary directory. */
  iidFile?: string;
  timeoutMs?: number;
  /** Each line the build prints (progress). */
  onLine?: (line: string) => void;
  /** For error messages: what is being built. */
  what?: string;
}

/** Dockerfile-instruction changes applied on import (podman/docker `import --change`, buildah config). */
export interface ImageChanges {
  /** Exec form when an array, shell form when a string. */
  cmd?: string[] | string;
  entrypoint?: string[] | string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  stopSignal?: string;
  workdir?: string;
  user?: string;
}

export interface ImageInfo {
  id: string;
  size: number;
  created?: string;
  architecture?: string;
  os?: string;
  cmd?: string[];
  entrypoint?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  stopSignal?: string;
  workingDir?: string;
  user?: string;
  layers: number;
  repoTags: string[];
}

/** A mounted (or exported) image root; release() undoes it. */
export interface ImageRoot {
  path: string;
  release(): Promise<void>;
  /** Synchronous release, for the interrupt path. */
  releaseSync(): void;
}

export interface ContainerRunOptions {
  /** Container name; default a unique almac-run-… name. */
  name?: string;
  /** Default 'none'. */
  network?: string;
  volumes?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
  allowFailure?: boolean;
  what?: string;
}

export interface PushOptions {
  /** Skip TLS verification (a local registry on 127.0.0.1 speaks plain HTTP). */
  tlsVerify?: boolean;
  /** `--all`: a manifest list with every image it references. */
  all?: boolean;
  /** Write the pushed digest here (podman/buildah `--digestfile`). */
  digestFile?: string;
}

/** What an engine can do that others cannot; callers ask instead of testing the engine's name. */
export interface EngineCapabilities {
  /** Builds and containers run in a PID namespace that dies with almac (not for a daemon). */
  pidNamespaceBuilds: boolean;
  /** Image roots are mounted in place (podman, buildah); docker exports a copy. */
  mountsImages: boolean;
  /** Manifest lists (podman/buildah manifest …). */
  manifestLists: boolean;
}

export interface Engine {
  readonly name: EngineName;
  /** The executable. */
  readonly bin: string;
  /** The complete environment of engine commands (with the hermetic store's variables). */
  readonly env: Record<string, string>;
  /** Only the variables almac adds (for --dry-run output and the env.sh file). */
  readonly envVars: Record<string, string>;
  /** almac's own store, when the engine uses one (podman, buildah; not docker, not --store system). */
  readonly store: EngineEnvironment | undefined;
  readonly capabilities: EngineCapabilities;

  // --- queries (run at once, never printed) ---
  /** Every image of the store in one call (retried when an image vanishes while listing). */
  listImages(): Promise<ImageRecord[]>;
  inspect(ref: string): Promise<ImageInfo>;

  // --- images ---
  /** Builds a Containerfile; returns the image id ('$IMAGE_ID' in a dry run). */
  build(req: BuildRequest, sink?: CommandSink): Promise<string>;
  /**
   * Pulls `ref` (for `o.platform`, e.g. linux/arm64, from a multi-platform list); the result tells
   * whether it worked (a failure is not thrown). The pulled image moves the tag: identify it by id.
   */
  pull(ref: string, sink?: CommandSink, o?: { platform?: string }): Promise<ExecResult>;
  tag(id: string, refs: string[], sink?: CommandSink): Promise<void>;
  /** Removes images (ids or names); the result tells whether it worked (a failure is not thrown). */
  removeImages(refs: string[], sink?: CommandSink): Promise<ExecResult>;
  /** Imports a root tarball with `changes` as `ref`; returns the image id. */
  importRoot(tarPath: string, ref: string, changes: ImageChanges, sink?: CommandSink): Promise<string>;
  /** The image's root as a directory (read-only use); scratchDir is for engines that must copy it. */
  mountImage(id: string, scratchDir: string): Promise<ImageRoot>;

  // --- containers ---
  /** Runs argv (entrypoint replaced) in a throw-away container of `image`, removed afterwards. */
  run(image: string, argv: string[], o?: ContainerRunOptions, sink?: CommandSink): Promise<ExecResult>;
  /** Removes containers by name or id, synchronously (the interrupt path). */
  removeContainersSync(names: string[]): void;
  /** Ids of build working containers in the store (buildah's; podman's "external" ones). */
  workingContainersSync(): string[];
  removeWorkingContainersSync(ids: string[]): void;

  // --- publishing ---
  /** Pushes `ref` to `destination` (`registry/name:tag`, or `docker://…`). */
  push(ref: string, destination: string, o?: PushOptions, sink?: CommandSink): Promise<void>;
  /** Creates an empty manifest list `list` (replacing one of that name). */
  createManifest(list: string, sink?: CommandSink): Promise<void>;
  /**
   * Adds an image to a manifest list, with its platform from the image config or, given `platform`,
   * exactly that (os, architecture, variant: podman 4.3 drops variants from what it builds).
   */
  addToManifest(list: string, image: string, sink?: CommandSink, platform?: OciPlatform): Promise<void>;
  /** Pushes a manifest list with every image it references (`manifest push --all`), e.g. to `oci:DIR:TAG`. */
  pushManifest(list: string, destination: string, o?: { format?: 'oci' | 'v2s2' }, sink?: CommandSink): Promise<void>;
  /** Removes a manifest list (not the images it references); a missing list is no error. */
  removeManifest(list: string, sink?: CommandSink): Promise<void>;
}

// Phase 3 output: one fully resolved image per (image, release). Inheritance, fragments and
// release conditions are gone; platform conditions stay (they are decided at build time, per
// platform, by the engine). This is what renderers, `almac print`, the runner and `almac diff` read.
import type { Span } from '../diagnostics/diagnostic.js';

/** Where something was written, as `file:line` — kept so generated comments and assertion
 * failures can point back at the definition. */
export interface Origin {
  file: string;
  line: number;
}

export type PackageManager = 'dnf' | 'microdnf' | 'none';

export interface PlatformInfo {
  /** e.g. linux/amd64/v2 */
  name: string;
  /** RPM base architecture, e.g. x86_64, aarch64, i686 */
  basearch: string;
  /** What `uname -m` prints in a container of this platform */
  uname: string;
}

export interface RepositorySpec {
  id: string;
  name: string;
  baseurl?: string;
  mirrorlist?: string;
  gpgcheck: boolean;
  gpgkey?: string;
  enabled: boolean;
}

/** A condition that can only be decided per platform at build time. */
export interface PlatformCondition {
  /** Platforms (by name) on which the guarded steps run. */
  platforms: string[];
}

export type Mode = string; // four octal digits, e.g. "0644"

export type Operation =
  | { op: 'write'; path: string; content: string; mode?: Mode; append: boolean }
  | { op: 'touch'; paths: string[]; mode?: Mode }
  | { op: 'mkdir'; paths: string[]; mode?: Mode }
  | { op: 'chmod'; paths: string[]; mode: Mode }
  | { op: 'remove'; paths: string[] }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'group'; name: string; gid?: number; system: boolean; password?: string }
  | { op: 'user'; name: string; uid?: number; gid?: number; system: boolean; comment?: string; shell?: string; home?: string; createHome: boolean; password?: string }
  | { op: 'delete-lines'; path: string; matching: string }
  | { op: 'replace'; path: string; rules: { pattern: string; replacement: string }[] }
  | { op: 'tmpfiles'; configs: string[] }
  | { op: 'timestamp'; path: string; format: string }
  | { op: 'copy-from-builder'; sources: string[]; dest: string; mode: Mode }
  | { op: 'set-default-target'; target: string }
  | { op: 'mask'; units: string[] }
  | { op: 'builder-write'; path: string; content: string }
  | { op: 'builder-remove'; paths: string[] }
  | { op: 'builder-install'; packages: string[] }
  | { op: 'install'; packages: string[]; allowErasing: boolean }
  | { op: 'upgrade' }
  | { op: 'enable-repos'; matching: string[]; except: string[] }
  | { op: 'clean-metadata' }
  | { op: 'shell'; script: string };

export interface Step {
  operation: Operation;
  /** Present when the step only runs on some platforms. */
  when?: PlatformCondition;
  origin: Origin;
  /** The fragment or image whose `post` block wrote this step; used to group steps for readers. */
  group: string;
}

export type Assertion =
  | { kind: 'package-installed'; name: string }
  | { kind: 'package-absent'; name: string }
  | { kind: 'path-exists'; path: string }
  | { kind: 'path-absent'; path: string }
  | { kind: 'command-succeeds'; argv: string[] }
  | { kind: 'command-output'; argv: string[]; matches: string };

export interface NamedAssertion {
  name: string;
  assertion: Assertion;
  origin: Origin;
}

export interface ImageConfig {
  cmd?: string[];
  entrypoint?: string[];
  env: [string, string][];
  labels: [string, string][];
  stopsignal?: string;
  user?: string;
  workdir?: string;
}

export type { KickstartSettings } from './kickstart.js';
import type { KickstartSettings } from './kickstart.js';

export interface ImageSpec {
  /** `<release>/<image>`, e.g. "9/minimal" */
  id: string;
  image: string;
  release: string;
  releasever: string;
  /** Full version used in tags, e.g. "9.8"; equals the release for rolling releases. */
  version: string;
  description?: string;
  source: Origin;
  ubi?: 'base' | 'init' | 'micro' | 'minimal';
  platforms: PlatformInfo[];
  builder: string;
  packageManager: PackageManager;
  weakDeps: boolean;
  docs: boolean;
  /** Languages kept by rpm's %_install_langs when set on the install, e.g. ["en_US.UTF-8"]. */
  installLangs?: string[];
  packages: {
    install: string[];
    exclude: string[];
    remove: string[];
    reinstall: string[];
    /** %_install_langs value written on the builder before the reinstall transaction. */
    reinstallLangs?: string;
  };
  cleanAfterInstall: boolean;
  repositories: RepositorySpec[];
  /** Steps that run against the image root from the builder. */
  steps: Step[];
  /** Steps that must run inside the image (systemctl): a second stage in Containerfiles. */
  insideSteps: Step[];
  config: ImageConfig;
  kickstart: KickstartSettings;
  /** `title` names the distribution and release in generated headers, e.g. "Example Linux 9". */
  naming: { repository: string; tags: string[]; title: string };
  /** Set when the image is part of a Docker Official Images library (`official-library { … }`). */
  officialLibrary?: OfficialLibrarySpec;
  assertions: NamedAssertion[];
  outputs: { containerfile: string; kickstart: string };
}

export interface OfficialLibrarySpec {
  /** The library file's name: `library/<library>`. */
  library: string;
  gitRepo?: string;
  maintainers: string[];
  /** Tags with {release}, {version}, {releasever}, {image} filled in; `{date}` is filled in at export. */
  tags: string[];
  /** Tags only the image's newest numbered release carries (`latest`, `minimal`). */
  newestTags: string[];
}

export type { Span };

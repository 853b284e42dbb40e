// Phase 2 output: declarations whose statements have been checked against the schema and whose
// values have been validated. Conditions are still present (they are resolved in phase 3).
import type { Span } from '../diagnostics/diagnostic.js';
import type { Assertion, Operation, PackageManager } from './spec.js';

export type ReleaseOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in';

export type CheckedCondition =
  | { kind: 'release'; op: ReleaseOp; values: string[]; span: Span }
  | { kind: 'platform'; negate: boolean; values: string[]; span: Span }
  | { kind: 'and' | 'or'; left: CheckedCondition; right: CheckedCondition; span: Span }
  | { kind: 'not'; operand: CheckedCondition; span: Span }
  | { kind: 'invalid'; span: Span };

export interface Named {
  name: string;
  span: Span;
}

export type Setting =
  | { key: 'description'; value: string }
  | { key: 'releases'; value: Named[] }
  | { key: 'platforms'; value: Named[] }
  | { key: 'ubi'; value: 'base' | 'init' | 'micro' | 'minimal' }
  | { key: 'package-manager'; value: PackageManager }
  | { key: 'weak-deps'; value: boolean }
  | { key: 'docs'; value: boolean }
  | { key: 'install-langs'; value: string[] }
  | { key: 'builder'; value: string }
  | { key: 'clean-after-install'; value: boolean }
  | { key: 'repositories'; value: Named[] };

export type PackageAction = 'install' | 'exclude' | 'remove' | 'reinstall' | 'omit';

export type ConfigItem =
  | { key: 'cmd' | 'entrypoint'; value: string[] }
  | { key: 'env' | 'label'; name: string; value: string }
  | { key: 'stopsignal' | 'user' | 'workdir'; value: string };

/** `tags` replaces the inherited tag list; `tag` adds to it. `title` names the distribution and release in
 * generated headers; `kickstart-file` is the kickstart's file name under generated/kickstarts/. `publish` names the repository on
 * the given registries (added, or replacing an inherited name); `unpublish` drops registries;
 * `newest-release-tag` adds tags that only the image's newest non-rolling release carries. */
export type NamingItem =
  | { key: 'repository' | 'title' | 'kickstart-file'; value: string }
  | { key: 'tags' | 'tag' | 'newest-release-tag'; value: string[] }
  | { key: 'publish'; registries: Named[]; as: string }
  | { key: 'unpublish'; registries: Named[] };

/** `registry NAME { location HOST/NAMESPACE }`: where images named for NAME are pushed. */
export interface RegistryDecl {
  name: string;
  span: Span;
  /** `host[:port]/namespace`, e.g. `quay.io/almalinuxorg` */
  location: string;
}

/**
 * What a child takes away from what it inherits (`drop …` inside `config`, `assert` and `post`):
 * a config value, one assertion, or every post step a fragment (or parent image) wrote.
 */
export type DropTarget =
  | { what: 'config'; key: 'cmd' | 'entrypoint' | 'stopsignal' | 'user' | 'workdir' }
  | { what: 'config'; key: 'env' | 'label'; name: string }
  | { what: 'assert'; assertion: Assertion }
  | { what: 'steps'; from: Named; /** `instead-of NAME { … }`: the new steps go where NAME's were. */ inPlace?: boolean };

export type { KickstartItem } from './kickstart.js';
import type { KickstartItem } from './kickstart.js';

/** `official-library { … }`: membership of a Docker Official Images library file. */
export type OfficialLibraryItem =
  | { key: 'library' | 'git-repo' | 'maintainer'; value: string }
  | { key: 'tags' | 'tag' | 'newest-tag'; value: string[] };

export type BodyItem =
  | { kind: 'when'; condition: CheckedCondition; then: BodyItem[]; otherwise: BodyItem[]; span: Span }
  | { kind: 'use'; fragment: Named; span: Span }
  | { kind: 'setting'; setting: Setting; span: Span }
  | { kind: 'packages'; action: PackageAction; names: Named[]; langs?: string; span: Span }
  | { kind: 'step'; operation: Operation; inside: boolean; span: Span; /** Written in `instead-of NAME { … }`: takes the place of NAME's dropped steps. */ replaces?: string }
  | { kind: 'config'; item: ConfigItem; span: Span }
  | { kind: 'naming'; item: NamingItem; span: Span }
  | { kind: 'official-library'; item: OfficialLibraryItem; span: Span }
  | { kind: 'kickstart'; item: KickstartItem; span: Span }
  | { kind: 'assert'; assertion: Assertion; span: Span }
  | { kind: 'drop'; target: DropTarget; span: Span };

export interface ReleaseDecl {
  name: string;
  span: Span;
  releasever: string;
  version: string;
  platforms: Named[];
  builder?: string;
}

export interface PlatformDecl {
  name: string;
  span: Span;
  basearch: string;
  uname: string;
}

export interface RepositoryDecl {
  id: string;
  span: Span;
  /** Settings, possibly under release conditions. */
  body: RepoItem[];
}

export type RepoItem =
  | { kind: 'when'; condition: CheckedCondition; then: RepoItem[]; otherwise: RepoItem[]; span: Span }
  | { kind: 'set'; key: 'name' | 'baseurl' | 'mirrorlist' | 'gpgkey'; value: string; span: Span }
  | { kind: 'set'; key: 'gpgcheck' | 'enabled'; value: boolean; span: Span };

export interface BodyDecl {
  kind: 'image' | 'fragment';
  name: string;
  span: Span;
  nameSpan: Span;
  /** Parents in order (images only). */
  parents: Named[];
  body: BodyItem[];
  file: string;
}

export interface CheckedProject {
  releases: Map<string, ReleaseDecl>;
  platforms: Map<string, PlatformDecl>;
  repositories: Map<string, RepositoryDecl>;
  registries?: Map<string, RegistryDecl>;
  fragments: Map<string, BodyDecl>;
  images: Map<string, BodyDecl>;
}

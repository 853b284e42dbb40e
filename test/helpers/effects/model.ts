// What an image build does, reduced to comparable facts. Three readers produce it: from the
// upstream facts (upstream.ts), from a resolved ImageSpec (spec.ts) and from generated Containerfile
// text (containerfile.ts); compare.ts says how two of them differ.

/** Where an atom acts: the image root (from the builder), the builder itself, or inside the image (stage 2). */
export type Scope = 'root' | 'builder' | 'inside';

/**
 * One effect on one thing, e.g. `remove /etc/machine-id` or `chmod /etc/.pwd.lock 0600`.
 * Operations on several paths become one atom per path, so grouping and flags do not matter.
 */
export interface Atom {
  scope: Scope;
  kind: string;
  /** The path acted on ("" for atoms that name no path, such as accounts and transactions). */
  path: string;
  /** Everything else that matters: mode, content, target, packages… (canonical text). */
  detail: string;
  /** Platforms on which it runs; absent means every platform. */
  platforms?: string[];
}

/** A dnf transaction's options in canonical form: "-y", "--releasever=9", "--setopt=install_weak_deps=false", … (sorted). */
export type DnfOptions = string[];

export interface Transaction {
  packages: string[];
  options: DnfOptions;
}

export interface ImageConfigFacts {
  cmd?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  stopsignal?: string;
}

export interface Effects {
  /** `mkdir -p` of the install root before the first transaction. */
  mkdirInstallRoot: boolean;
  install: Transaction;
  reinstall?: Transaction & { builderMacro?: { path: string; content: string } };
  cleanAfterInstall: boolean;
  /** Atoms of the post-install steps from the builder, in order. */
  steps: Atom[];
  /** Atoms of the steps inside the image (the systemd stage), in order; undefined without that stage. */
  inside?: Atom[];
  /** ENV set in the systemd stage itself (only upstream does this). */
  insideEnv?: Record<string, string>;
  final: ImageConfigFacts;
}

export function atomKey(a: Atom): string {
  const where = a.platforms ? ` [only on ${[...a.platforms].sort().join(', ')}]` : '';
  return `${a.scope} ${a.kind}${a.path ? ' ' + a.path : ''}${a.detail ? ' ' + a.detail : ''}${where}`;
}

export function canonicalOptions(opts: string[]): DnfOptions {
  return [...new Set(opts)].sort();
}

/** The atoms of one transaction into `scope`; packages sorted, since a transaction is a set. */
export function transactionAtom(scope: Scope, kind: 'install' | 'upgrade', t: Transaction): Atom {
  return { scope, kind, path: '', detail: `${t.options.join(' ')}${t.packages.length ? ' : ' + [...t.packages].sort().join(' ') : ''}` };
}

/** Modes as four octal digits: "600" → "0600". */
export function mode4(m: string): string {
  return m.padStart(4, '0');
}

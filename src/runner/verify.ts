// Checking a built image against its definition: the package manifest (rpm -qa as sorted NEVRA lines,
// read with the host's rpm from the image's mounted root: images such as the fixture ones have no
// working rpm binary of their own, and micro has none at all), then every assertion.
//   package-installed / package-absent  → the manifest (failed, with the reason, when the image has no
//                                         rpm database: an unverifiable assertion never passes)
//   path-exists / path-absent           → the mounted root, resolving symlinks inside the root
//                                         (`test -e` semantics: a dangling symlink does not exist)
//   command-succeeds / command-output   → a throw-away container of the image (network off, the
//                                         image's user, entrypoint replaced by the command)
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readlinkSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand, findOnPath } from './engine/index.js';
import type { ImageSpec, NamedAssertion } from '../model/spec.js';

export interface AssertionResult {
  name: string;
  kind: string;
  ok: boolean;
  /** Why it failed (or what was checked). */
  detail?: string;
  /** `file:line` of the assertion in the definitions. */
  origin: string;
}

export interface Manifest {
  /** Sorted NEVRA lines; null when the image has no rpm database. */
  packages: string[] | null;
  /** Where the database was found, or why there is none. */
  note: string;
}

/** Where an EL root keeps its rpm database, if it has one. */
export function findRpmDb(root: string): string | undefined {
  for (const d of ['/var/lib/rpm', '/usr/lib/sysimage/rpm']) {
    for (const f of ['rpmdb.sqlite', 'Packages', 'Packages.db']) {
      if (existsSync(join(root, d, f))) return d;
    }
  }
  return undefined;
}

/** The package name of a NEVRA line (`findutils-1:4.8.0-7.el9.x86_64` → `findutils`). */
export function nevraName(nevra: string): string {
  const m = /^(.+)-[^-]+-[^-]+$/.exec(nevra);
  return m ? m[1]! : nevra;
}

const QF = '%{NEVRA}\\n';

/**
 * Reads the package list of the root at `root` with the host's rpm (`rpm --root R --dbpath D -qa`).
 * A read-only root whose sqlite database cannot be opened in place is queried from a copy.
 */
export async function readManifest(root: string, scratch: string, signal?: AbortSignal): Promise<Manifest> {
  const db = findRpmDb(root);
  if (!db) return { packages: null, note: 'no rpm database in the image (neither /var/lib/rpm nor /usr/lib/sysimage/rpm holds one)' };
  if (!findOnPath('rpm')) throw new Error('the host has no `rpm` command to read the image\'s package database (apt-get install rpm / dnf install rpm)');
  const env = { ...(process.env as Record<string, string>), HOME: scratch };
  const opts = { env, ...(signal ? { signal } : {}) };
  let r = await execCommand(['rpm', '--root', root, '--dbpath', db, '-qa', '--qf', QF], opts);
  if (r.code !== 0 && !r.aborted) {
    // e.g. sqlite refusing a read-only directory without its -shm file: query a copy
    const tmp = mkdtempSync(join(scratch, 'rpmdb-'));
    try {
      for (const f of readdirSync(join(root, db))) {
        const p = join(root, db, f);
        if (lstatSync(p).isFile()) copyFileSync(p, join(tmp, f));
      }
      r = await execCommand(['rpm', '--dbpath', tmp, '-qa', '--qf', QF], opts);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (r.code !== 0) throw new Error(`rpm could not read the image's package database in ${db}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const packages = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  return { packages, note: `rpm database at ${db}` };
}

/**
 * The architecture of the package that owns `path` in the root's rpm database (`rpm -qf --queryformat
 * %{ARCH}`, with the host's rpm); '' when no package owns it. A database that cannot be opened in place
 * is read from a copy, where the owner is found in the file lists (-qf needs the file itself).
 */
export async function fileOwnerArch(root: string, db: string, path: string, scratch: string, signal?: AbortSignal): Promise<string> {
  const env = { ...(process.env as Record<string, string>), HOME: scratch };
  const opts = { env, ...(signal ? { signal } : {}) };
  const r = await execCommand(['rpm', '--root', root, '--dbpath', db, '-qf', '--queryformat', '%{ARCH}', path], opts);
  if (r.code === 0) return r.stdout.trim();
  if (/is not owned by any package/.test(r.stdout + r.stderr)) return '';
  const tmp = mkdtempSync(join(scratch, 'rpmdb-'));
  try {
    for (const f of readdirSync(join(root, db))) {
      const p = join(root, db, f);
      if (lstatSync(p).isFile()) copyFileSync(p, join(tmp, f));
    }
    const all = await execCommand(['rpm', '--dbpath', tmp, '-qa', '--queryformat', '[%{FILENAMES}\t%{ARCH}\n]'], opts);
    if (all.code !== 0) throw new Error(`rpm could not read the image's package database in ${db}: ${all.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return all.stdout.split('\n').find((l) => l.startsWith(`${path}\t`))?.split('\t')[1] ?? '';
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function renderManifest(image: string, m: Manifest): string {
  if (m.packages === null) return `# ${image}: ${m.note}\n`;
  return m.packages.join('\n') + (m.packages.length ? '\n' : '');
}

/**
 * `path` inside `root`, with every symlink resolved as the image would resolve it (absolute targets
 * start again at `root`; `..` stops at `root`). undefined when a component does not exist.
 */
export function resolveInRoot(root: string, path: string, followLast = true): string | undefined {
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, c);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink() && (todo.length > 0 || followLast)) {
      if (++hops > 40) return undefined; // a loop
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(c);
  }
  return join(root, ...done);
}

export function pathExists(root: string, path: string): boolean {
  return resolveInRoot(root, path) !== undefined;
}

const origin = (a: NamedAssertion): string => `${a.origin.file}:${a.origin.line}`;

/** The assertions that need only the root and the manifest. */
export function checkStaticAssertions(spec: ImageSpec, root: string, m: Manifest): AssertionResult[] {
  const names = m.packages ? new Set(m.packages.map(nevraName)) : undefined;
  const out: AssertionResult[] = [];
  for (const a of spec.assertions) {
    const x = a.assertion;
    const base = { name: a.name, kind: x.kind, origin: origin(a) };
    switch (x.kind) {
      case 'package-installed':
      case 'package-absent': {
        if (!names) {
          out.push({ ...base, ok: false, detail: `cannot be checked: ${m.note}` });
          break;
        }
        const has = names.has(x.name);
        const ok = x.kind === 'package-installed' ? has : !has;
        out.push({ ...base, ok, ...(ok ? {} : { detail: has ? `${x.name} is installed (${m.packages!.find((p) => nevraName(p) === x.name)})` : `${x.name} is not installed` }) });
        break;
      }
      case 'path-exists':
      case 'path-absent': {
        const has = pathExists(root, x.path);
        const ok = x.kind === 'path-exists' ? has : !has;
        out.push({ ...base, ok, ...(ok ? {} : { detail: has ? `${x.path} exists` : `${x.path} does not exist` }) });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The command assertions, run by `run(argv)` (a container of the image). */
export async function checkCommandAssertions(
  spec: ImageSpec,
  run: (argv: string[]) => Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>,
): Promise<AssertionResult[]> {
  const out: AssertionResult[] = [];
  for (const a of spec.assertions) {
    const x = a.assertion;
    if (x.kind !== 'command-succeeds' && x.kind !== 'command-output') continue;
    const base = { name: a.name, kind: x.kind, origin: origin(a) };
    const r = await run(x.argv);
    const errTail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
    if (r.timedOut) {
      out.push({ ...base, ok: false, detail: 'timed out' });
    } else if (x.kind === 'command-succeeds') {
      out.push({ ...base, ok: r.code === 0, ...(r.code === 0 ? {} : { detail: `exit code ${r.code}${errTail ? `: ${errTail}` : ''}` }) });
    } else if (r.code !== 0) {
      out.push({ ...base, ok: false, detail: `exit code ${r.code}${errTail ? `: ${errTail}` : ''}` });
    } else {
      const ok = new RegExp(x.matches, 'm').test(r.stdout);
      const shown = r.stdout.trim().split('\n').slice(0, 3).join(' | ');
      out.push({ ...base, ok, ...(ok ? {} : { detail: `output does not match /${x.matches}/: ${shown ? JSON.stringify(shown.length > 200 ? shown.slice(0, 200) + '…' : shown) : '(empty)'}` }) });
    }
  }
  return out;
}

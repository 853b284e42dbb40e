// Comparing two Effects: the same package set and transactions, the same multiset of atoms, the
// same relative order wherever order can matter, and the same final configuration. The result is
// a list of differences in words, empty when the two builds are equivalent.
import { atomKey, type Atom, type Effects, type Transaction } from './model.js';

/** What an atom reads or writes, as scope-qualified paths ("root:/etc/x"); "root:/" is everything. */
export function touches(a: Atom): string[] {
  const at = (p: string) => `${a.scope}:${p}`;
  switch (a.kind) {
    case 'install':
    case 'upgrade':
      // A transaction can change any file of the root, and reads the builder's rpm and dnf config.
      return a.scope === 'root' ? ['root:/', 'builder:/etc/'] : ['builder:/'];
    case 'enable-repos':
      return ['root:/etc/yum.repos.d/', 'builder:/etc/yum.repos.d/'];
    case 'clean-metadata':
      return ['root:/var/cache/dnf/'];
    case 'tmpfiles':
      // A tmpfiles.d configuration can create or change anything in the root.
      return ['root:/'];
    case 'group':
    case 'user':
      return ['group', 'group-', 'gshadow', 'gshadow-', 'passwd', 'passwd-', 'shadow', 'shadow-'].map((f) => `root:/etc/${f}`);
    case 'copy-from-builder':
      return [at(a.path), `builder:${/^from (\S+)/.exec(a.detail)![1]}`];
    default:
      return [at(a.path || '/')];
  }
}

const literalPrefix = (p: string) => p.split(/[*?]/)[0]!;

/** Could two paths name the same file, or one lie inside the other? Globs are treated generously. */
export function overlaps(p: string, q: string): boolean {
  const [sp, pp] = [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)];
  const [sq, pq] = [q.slice(0, q.indexOf(':')), q.slice(q.indexOf(':') + 1)];
  if (sp !== sq) return false;
  const a = literalPrefix(pp);
  const b = literalPrefix(pq);
  const globbed = a !== pp || b !== pq;
  if (globbed) return a.startsWith(b) || b.startsWith(a);
  const dir = (x: string) => (x.endsWith('/') ? x : x + '/');
  return dir(pp) === dir(pq) || pq.startsWith(dir(pp)) || pp.startsWith(dir(pq));
}

/** Atoms of these kinds give the same result in either order. */
function commute(a: Atom, b: Atom): boolean {
  const family = (x: Atom) => (x.kind === 'clean-metadata' ? 'remove' : x.kind);
  if (family(a) === family(b) && ['remove', 'mkdir', 'mask'].includes(family(a))) return true;
  return atomKey(a) === atomKey(b);
}

export function conflict(a: Atom, b: Atom): boolean {
  return !commute(a, b) && touches(a).some((p) => touches(b).some((q) => overlaps(p, q)));
}

/** Keys with an occurrence number, so repeated atoms are matched in order. */
function numbered(atoms: Atom[]): string[] {
  const seen = new Map<string, number>();
  return atoms.map((a) => {
    const k = atomKey(a);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return n === 1 ? k : `${k} (#${n})`;
  });
}

export interface OrderViolation {
  first: Atom;
  then: Atom;
}

/** Atoms present on one side only, and pairs whose order matters but is reversed on `ours`. */
export function compareAtoms(upstream: Atom[], ours: Atom[]): { missing: string[]; extra: string[]; order: OrderViolation[] } {
  const uk = numbered(upstream);
  const ok = numbered(ours);
  const position = new Map(ok.map((k, i) => [k, i]));
  const missing = uk.filter((k) => !position.has(k));
  const upstreamKeys = new Set(uk);
  const extra = ok.filter((k) => !upstreamKeys.has(k));
  const order: OrderViolation[] = [];
  for (let i = 0; i < upstream.length; i++) {
    for (let j = i + 1; j < upstream.length; j++) {
      const pi = position.get(uk[i]!);
      const pj = position.get(uk[j]!);
      if (pi === undefined || pj === undefined || pi < pj) continue;
      if (conflict(upstream[i]!, upstream[j]!)) order.push({ first: upstream[i]!, then: upstream[j]! });
    }
  }
  return { missing, extra, order };
}

const sortedSet = (xs: string[]) => [...new Set(xs)].sort();

function compareTransaction(what: string, a: Transaction | undefined, b: Transaction | undefined, out: string[]): void {
  if (!a || !b) {
    if (a || b) out.push(`${what}: ${a ? 'upstream has it, ours does not' : 'ours has it, upstream does not'}`);
    return;
  }
  const missing = sortedSet(a.packages).filter((p) => !b.packages.includes(p));
  const extra = sortedSet(b.packages).filter((p) => !a.packages.includes(p));
  if (missing.length) out.push(`${what}: packages missing from ours: ${missing.join(' ')}`);
  if (extra.length) out.push(`${what}: packages only in ours: ${extra.join(' ')}`);
  if (a.options.join(' ') !== b.options.join(' ')) out.push(`${what}: dnf options differ: upstream ${a.options.join(' ')}; ours ${b.options.join(' ')}`);
}

/** Every package that ends up requested into the image root: the install plus later transactions. */
export function packageSet(e: Effects): string[] {
  const later = e.steps.filter((a) => a.scope === 'root' && a.kind === 'install').flatMap((a) => a.detail.split(' : ')[1]?.split(' ') ?? []);
  return sortedSet([...e.install.packages, ...later]);
}

const describe = (v: OrderViolation) => `order: \`${atomKey(v.first)}\` must come before \`${atomKey(v.then)}\``;

export function compareEffects(upstream: Effects, ours: Effects): string[] {
  const out: string[] = [];
  const [pu, po] = [packageSet(upstream), packageSet(ours)];
  if (pu.join(' ') !== po.join(' ')) out.push(`package set: missing ${pu.filter((p) => !po.includes(p)).join(' ') || '-'}; extra ${po.filter((p) => !pu.includes(p)).join(' ') || '-'}`);
  if (upstream.mkdirInstallRoot !== ours.mkdirInstallRoot) out.push('mkdir of the install root differs');
  compareTransaction('install', upstream.install, ours.install, out);
  compareTransaction('reinstall', upstream.reinstall, ours.reinstall, out);
  const [mu, mo] = [upstream.reinstall?.builderMacro, ours.reinstall?.builderMacro];
  if (JSON.stringify(mu) !== JSON.stringify(mo)) out.push(`builder macro before the reinstall: upstream ${JSON.stringify(mu)}; ours ${JSON.stringify(mo)}`);
  if (upstream.cleanAfterInstall !== ours.cleanAfterInstall) out.push(`clean all after install: upstream ${upstream.cleanAfterInstall}; ours ${ours.cleanAfterInstall}`);

  for (const [what, a, b] of [['step', upstream.steps, ours.steps], ['systemd stage', upstream.inside, ours.inside]] as const) {
    if (!a || !b) {
      if (a || b) out.push(`${what}s: ${a ? 'upstream has them, ours does not' : 'ours has them, upstream does not'}`);
      continue;
    }
    const d = compareAtoms(a, b);
    out.push(...d.missing.map((k) => `${what} missing from ours: ${k}`), ...d.extra.map((k) => `${what} only in ours: ${k}`), ...d.order.map(describe));
  }
  if (JSON.stringify(upstream.insideEnv ?? {}) !== JSON.stringify(ours.insideEnv ?? {})) out.push(`ENV in the systemd stage: upstream ${JSON.stringify(upstream.insideEnv)}; ours ${JSON.stringify(ours.insideEnv ?? {})}`);

  const [fu, fo] = [upstream.final, ours.final];
  if (JSON.stringify(fu.cmd) !== JSON.stringify(fo.cmd)) out.push(`CMD: upstream ${JSON.stringify(fu.cmd)}; ours ${JSON.stringify(fo.cmd)}`);
  if (fu.stopsignal !== fo.stopsignal) out.push(`STOPSIGNAL: upstream ${fu.stopsignal}; ours ${fo.stopsignal}`);
  for (const [what, a, b] of [['ENV', fu.env, fo.env], ['LABEL', fu.labels, fo.labels]] as const) {
    for (const k of sortedSet([...Object.keys(a), ...Object.keys(b)])) {
      if (a[k] !== b[k]) out.push(`${what} ${k}: upstream ${JSON.stringify(a[k])}; ours ${JSON.stringify(b[k])}`);
    }
  }
  return out;
}

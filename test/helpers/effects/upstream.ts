// Reads the upstream facts (test/fixtures/reference/upstream-variants.json) into Effects.
// The facts describe each upstream Containerfile: its transaction, its post-install operations in
// source order (paths relative to the image root), its systemd stage and its final configuration.
import { readFileSync } from 'node:fs';
import { accountDetail, sedAtoms } from './shared.js';
import { canonicalOptions, mode4, transactionAtom, type Atom, type Effects, type Scope } from './model.js';

type Json = Record<string, unknown>;

export interface UpstreamOp extends Json {
  op: string;
}

export interface UpstreamVariant {
  id: string;
  release: string;
  type: string;
  releasever: string;
  install: {
    installroot: string;
    mkdir_installroot: boolean;
    packages: string[];
    dnf_options: Json;
    reinstall: { packages: string[]; dnf_options: Json; builder_macro: { path: string; content: string } } | null;
    clean_all_after_install: boolean;
  };
  post_install: UpstreamOp[];
  stage2: { present: false } | { present: true; env: Record<string, string>; ops: UpstreamOp[] };
  final: { env: Record<string, string>; labels: Record<string, string>; cmd: { form: string; argv: string[] } | null; stopsignal: string | null };
}

export function loadUpstream(): UpstreamVariant[] {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/reference/upstream-variants.json', import.meta.url), 'utf8')) as { variants: UpstreamVariant[] };
  return doc.variants;
}

/** Upstream's normalised dnf options → the canonical option strings. */
export function upstreamOptions(o: Json, installroot?: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'assumeyes' && v === true) out.push('-y');
    else if (k === 'nodocs' && v === true) out.push('--nodocs');
    else if (k === 'allowerasing' && v === true) out.push('--allowerasing');
    else if (k === 'releasever') out.push(`--releasever=${String(v)}`);
    else if (k === 'setopt') for (const [sk, sv] of Object.entries(v as Json)) out.push(`--setopt=${sk}=${String(sv)}`);
    else throw new Error(`unknown upstream dnf option ${k}`);
  }
  if (installroot) out.push(`--installroot=${installroot}`);
  return canonicalOptions(out);
}

function opAtoms(op: UpstreamOp, installroot: string, platforms?: string[]): Atom[] {
  const scope: Scope = op['scope'] === 'host' ? 'builder' : 'root';
  const paths = (op['paths'] as string[] | undefined) ?? [];
  const at = (kind: string, path: string, detail = ''): Atom => ({ scope, kind, path, detail, ...(platforms ? { platforms } : {}) });
  switch (op.op) {
    case 'remove':
    case 'mkdir':
    case 'touch':
      // Flags (-r, -f, -p) are not effects on their own; see the deliberate differences.
      return [...paths.map((p) => at(op.op, p)), ...(op['mode'] ? paths.map((p) => at('chmod', p, mode4(op['mode'] as string))) : [])];
    case 'chmod':
      return paths.map((p) => at('chmod', p, mode4(op['mode'] as string)));
    case 'write':
      return [at('write', op['path'] as string, JSON.stringify(op['content']))];
    case 'timestamp':
      return [at('timestamp', op['path'] as string, op['format'] as string)];
    case 'symlink':
      return [at('symlink', op['path'] as string, op['target'] as string)];
    case 'groupadd':
    case 'useradd':
      return [at(op.op === 'groupadd' ? 'group' : 'user', '', accountDetail(op['name'] as string, {
        gid: op['gid'] as number | undefined,
        uid: op['uid'] as number | undefined,
        system: op['system'] as boolean | undefined,
        password: op['password'] as string | undefined,
        comment: op['comment'] as string | undefined,
        shell: op['shell'] as string | undefined,
        home: op['home'] as string | undefined,
        createHome: op['create_home'] as boolean | undefined,
      }))];
    case 'sed':
      return sedAtoms(op['path'] as string, op['expressions'] as string[], '/').map((a) => ({ ...a, scope, ...(platforms ? { platforms } : {}) }));
    case 'tmpfiles':
      return [at('tmpfiles', op['config'] as string, (op['flags'] as string[]).join(' '))];
    case 'install-files': {
      const dest = op['dest'] as string;
      return (op['sources'] as string[]).map((src) => at('copy-from-builder', dest.replace(/\/?$/, '/') + src.split('/').pop(), `from ${src} mode ${mode4(op['mode'] as string)}`));
    }
    case 'platform-conditional':
      return (op['then'] as UpstreamOp[]).flatMap((o) => opAtoms(o, installroot, [op['platform'] as string]));
    case 'dnf-install':
      return [transactionAtom(scope, 'install', { packages: op['packages'] as string[], options: upstreamOptions(op['options'] as Json, scope === 'root' ? installroot : undefined) })];
    case 'dnf-upgrade':
      return [transactionAtom(scope, 'upgrade', { packages: [], options: upstreamOptions(op['options'] as Json, installroot) })];
    case 'dnf-config-manager-enable': {
      const q = op['repos_from'] as Json;
      return [at('enable-repos', '', `matching ${(q['include_any_case_insensitive'] as string[]).join('|')} except ${(q['exclude_any_case_insensitive'] as string[]).join('|')}`)];
    }
    case 'dnf-clean':
      if ((op['what'] as string[]).join() !== 'all') throw new Error(`unknown dnf clean ${String(op['what'])}`);
      return [at('clean-metadata', '')];
    case 'systemctl-set-default':
      return [{ scope: 'inside', kind: 'set-default', path: '/etc/systemd/system/default.target', detail: op['target'] as string }];
    case 'systemctl-mask':
      return (op['units'] as string[]).map((u) => ({ scope: 'inside', kind: 'mask', path: `/etc/systemd/system/${u}`, detail: '' }));
    default:
      throw new Error(`the upstream facts have an operation this reader does not know: ${op.op}`);
  }
}

export function upstreamEffects(v: UpstreamVariant): Effects {
  const root = v.install.installroot;
  const r = v.install.reinstall;
  return {
    mkdirInstallRoot: v.install.mkdir_installroot,
    install: { packages: v.install.packages, options: upstreamOptions(v.install.dnf_options, root) },
    ...(r ? { reinstall: { packages: r.packages, options: upstreamOptions(r.dnf_options, root), builderMacro: r.builder_macro } } : {}),
    cleanAfterInstall: v.install.clean_all_after_install,
    steps: v.post_install.flatMap((op) => opAtoms(op, root)),
    ...(v.stage2.present ? { inside: v.stage2.ops.flatMap((op) => opAtoms(op, root)), insideEnv: v.stage2.env } : {}),
    final: {
      ...(v.final.cmd ? { cmd: v.final.cmd.argv } : {}),
      env: v.final.env,
      labels: v.final.labels,
      ...(v.final.stopsignal ? { stopsignal: v.final.stopsignal } : {}),
    },
  };
}

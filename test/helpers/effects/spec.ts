// Reads a resolved ImageSpec (what `almac print` shows) into Effects: the meaning of each typed
// operation, independent of how the renderer writes it.
import type { ImageSpec, Operation, Step } from '../../../src/model/spec.js';
import { accountDetail } from './shared.js';
import { canonicalOptions, transactionAtom, type Atom, type Effects } from './model.js';

/** The builder path where the Containerfile installs the image root (a build-stage detail upstream shares). */
export const INSTALL_ROOT = '/mnt/sys-root';
/** rpm's language macro on the builder, which `reinstall … langs` sets for the reinstall transaction. */
const BUILDER_LANG_MACRO = '/etc/rpm/macros.image-language-conf';

function rootOptions(s: ImageSpec, extra: string[] = []): string[] {
  return canonicalOptions([
    '-y',
    `--installroot=${INSTALL_ROOT}`,
    `--releasever=${s.releasever}`,
    ...(s.weakDeps ? [] : ['--setopt=install_weak_deps=false']),
    ...(s.docs ? [] : ['--nodocs']),
    ...extra,
  ]);
}

function operationAtoms(op: Operation, s: ImageSpec): Atom[] {
  const root = (kind: string, path: string, detail = ''): Atom => ({ scope: 'root', kind, path, detail });
  switch (op.op) {
    case 'write':
      return [root(op.append ? 'append' : 'write', op.path, JSON.stringify(op.content)), ...(op.mode ? [root('chmod', op.path, op.mode)] : [])];
    case 'touch':
    case 'mkdir':
      return [...op.paths.map((p) => root(op.op, p)), ...(op.mode ? op.paths.map((p) => root('chmod', p, op.mode!)) : [])];
    case 'chmod':
      return op.paths.map((p) => root('chmod', p, op.mode));
    case 'remove':
      return op.paths.map((p) => root('remove', p));
    case 'symlink':
      return [root('symlink', op.path, op.target)];
    case 'group':
      return [root('group', '', accountDetail(op.name, { gid: op.gid, system: op.system, password: op.password }))];
    case 'user':
      return [root('user', '', accountDetail(op.name, { uid: op.uid, gid: op.gid, system: op.system, password: op.password, comment: op.comment, shell: op.shell, home: op.home, createHome: op.createHome }))];
    case 'delete-lines':
      return [root('delete-lines', op.path, JSON.stringify(op.matching))];
    case 'replace':
      return [root('replace', op.path, JSON.stringify(op.rules.map((r) => [r.pattern, r.replacement])))];
    case 'tmpfiles':
      return op.configs.map((c) => root('tmpfiles', c, '--create'));
    case 'timestamp':
      return [root('timestamp', op.path, op.format)];
    case 'copy-from-builder':
      return op.sources.map((src) => root('copy-from-builder', op.dest.replace(/\/?$/, '/') + src.split('/').pop(), `from ${src} mode ${op.mode}`));
    case 'set-default-target':
      return [{ scope: 'inside', kind: 'set-default', path: '/etc/systemd/system/default.target', detail: op.target }];
    case 'mask':
      return op.units.map((u) => ({ scope: 'inside', kind: 'mask', path: `/etc/systemd/system/${u}`, detail: '' }));
    case 'builder-write':
      return [{ scope: 'builder', kind: 'write', path: op.path, detail: JSON.stringify(op.content) }];
    case 'builder-remove':
      return op.paths.map((p) => ({ scope: 'builder', kind: 'remove', path: p, detail: '' }));
    case 'builder-install':
      return [transactionAtom('builder', 'install', { packages: op.packages, options: ['-y'] })];
    case 'install':
      return [transactionAtom('root', 'install', { packages: op.packages, options: rootOptions(s, op.allowErasing ? ['--allowerasing'] : []) })];
    case 'upgrade':
      return [transactionAtom('root', 'upgrade', { packages: [], options: rootOptions(s) })];
    case 'enable-repos':
      return [root('enable-repos', '', `matching ${op.matching.join('|')} except ${op.except.join('|')}`)];
    case 'clean-metadata':
      return [root('clean-metadata', '')];
    case 'shell':
      // Unchecked shell has no typed meaning to compare; an image that needs it cannot be shown equivalent.
      throw new Error('a raw-shell step cannot be compared with upstream');
  }
}

function stepAtoms(steps: Step[], s: ImageSpec): Atom[] {
  return steps.flatMap((st) => operationAtoms(st.operation, s).map((a) => (st.when ? { ...a, platforms: st.when.platforms } : a)));
}

export function specEffects(s: ImageSpec): Effects {
  const p = s.packages;
  return {
    // Installing into a root means creating it first; the spec has nothing that could say otherwise.
    mkdirInstallRoot: true,
    install: { packages: p.install, options: rootOptions(s, p.exclude.map((x) => `--exclude=${x}`)) },
    ...(p.reinstall.length
      ? { reinstall: { packages: p.reinstall, options: rootOptions(s), ...(p.reinstallLangs ? { builderMacro: { path: BUILDER_LANG_MACRO, content: `%_install_langs ${p.reinstallLangs}\n` } } : {}) } }
      : {}),
    cleanAfterInstall: s.cleanAfterInstall,
    steps: stepAtoms(s.steps, s),
    ...(s.insideSteps.length ? { inside: stepAtoms(s.insideSteps, s) } : {}),
    final: {
      ...(s.config.cmd ? { cmd: s.config.cmd } : {}),
      env: Object.fromEntries(s.config.env),
      labels: Object.fromEntries(s.config.labels),
      ...(s.config.stopsignal ? { stopsignal: s.config.stopsignal } : {}),
    },
  };
}

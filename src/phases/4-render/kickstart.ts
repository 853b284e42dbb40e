// ImageSpec → the data the kickstart template prints.
// Kickstart syntax depends on the release: RHEL 8 spells options one way, RHEL 9 deprecates
// those spellings and RHEL 10 removes them. The dialect is chosen from the release's releasever.
// Under pykickstart's RHEL8 handler only --instLangs/--excludeWeakdeps exist (no dashed aliases)
// and there is no timesource command; RHEL9 warns on those spellings and on timezone --nontp;
// RHEL10 rejects them. The per-handler facts, and a validator every kickstart must pass with no
// errors and no warnings, are in test/fixtures/kickstart/dialects.json and test/kickstart/.
import { provenance } from './provenance.js';
import type { ImageSpec } from '../../model/spec.js';
import type { CommandContext } from './commands.js';
import { headerLines, installCommands } from './containerfile.js';
import { scriptLines, stepItems } from './runs.js';
import { quote } from './shell.js';

export interface KickstartDialect {
  /** pykickstart handler version the file is written for. */
  handler: 'RHEL8' | 'RHEL9' | 'RHEL10';
  excludeWeakdeps: string;
  instLangs: string;
  /** How NTP is switched off: RHEL 8 has `timezone --nontp`; 9 deprecates it for `timesource`. */
  ntpOff: 'timezone-nontp' | 'timesource';
}

export function dialectFor(releasever: string): KickstartDialect {
  const v = Number(releasever);
  if (v <= 8) return { handler: 'RHEL8', excludeWeakdeps: '--excludeWeakdeps', instLangs: '--instLangs', ntpOff: 'timezone-nontp' };
  if (v === 9) return { handler: 'RHEL9', excludeWeakdeps: '--exclude-weakdeps', instLangs: '--inst-langs', ntpOff: 'timesource' };
  return { handler: 'RHEL10', excludeWeakdeps: '--exclude-weakdeps', instLangs: '--inst-langs', ntpOff: 'timesource' };
}

export interface PostSection {
  header: string;
  comment: string;
  lines: string[];
}

export interface KickstartView {
  header: string[];
  commands: string[];
  packagesHeader: string;
  packages: string[];
  posts: PostSection[];
}

const ROOT_VAR = '"$root"';

export function planKickstart(spec: ImageSpec): KickstartView {
  const d = dialectFor(spec.releasever);
  const ks = spec.kickstart;
  const commands: string[] = [];
  const [first, ...rest] = spec.repositories;
  if (first) commands.push(first.baseurl ? `url --url=${first.baseurl}` : `url --mirrorlist=${first.mirrorlist}`);
  for (const r of rest) {
    commands.push(`repo --name=${r.id} ${r.baseurl ? `--baseurl=${r.baseurl}` : `--mirrorlist=${r.mirrorlist}`}`);
  }
  commands.push(`lang ${ks.lang}`, `keyboard ${ks.keyboard}`);
  if (d.ntpOff === 'timezone-nontp') commands.push(`timezone ${ks.timezone} --utc --nontp`);
  else commands.push(`timezone ${ks.timezone} --utc`, 'timesource --ntp-disable');
  commands.push(
    'network --activate --bootproto=dhcp --device=link --onboot=on',
    'selinux --disabled',
    'bootloader --disabled',
    'zerombr',
    'clearpart --all --initlabel',
    'autopart --fstype=ext4 --type=plain --nohome --noboot --noswap',
    'rootpw --lock --iscrypted locked',
    'shutdown',
  );

  const opts = ['--nocore'];
  if (!spec.docs) opts.push('--excludedocs');
  if (!spec.weakDeps) opts.push(d.excludeWeakdeps);
  if (spec.installLangs?.length) opts.push(`${d.instLangs}=${spec.installLangs.join(':')}`);
  const packages = [...spec.packages.install, ...spec.packages.exclude.map((x) => `-${x}`)];

  const posts: PostSection[] = [];
  const ctx: CommandContext = { root: ROOT_VAR, image: spec };
  // The transactions after %packages (reinstall, remove, clean) and every builder-side step run
  // from the installer host against the installed root, like the Containerfile's build stage.
  const install = installCommands(spec, ctx);
  const afterPackages = install.cmds.filter((c) => !(c.words[0] === 'dnf' && c.words[1] === 'install'));
  const usesPlatform = spec.steps.some((s) => s.when);
  const body: string[] = scriptLines([{ cmds: afterPackages }], '$arch');
  // Steps, in order; raw shell steps are inlined where they stand. In a kickstart the platform is
  // known by what `uname -m` prints, not by its OCI name.
  const archOf = new Map(spec.platforms.map((p) => [p.name, p.uname]));
  const steps = spec.steps.map((s) => (s.when ? { ...s, when: { platforms: [...new Set(s.when.platforms.map((p) => archOf.get(p) ?? p))] } } : s));
  let pending: typeof spec.steps = [];
  const flush = () => {
    if (pending.length) body.push(...scriptLines(stepItems(pending, ctx), '$arch'));
    pending = [];
  };
  for (const s of steps) {
    if (s.operation.op === 'shell') {
      flush();
      body.push(`# raw-shell: unchecked shell from ${provenance(s)}; $root is the image root`);
      body.push(`(cd / && sh -eu -c ${quote(s.operation.script)})`);
    } else pending.push(s);
  }
  flush();
  if (body.length) {
    const prelude = ['set -eu', 'root="${ANA_INSTALL_PATH:-/mnt/sysimage}"', 'export root'];
    if (usesPlatform) prelude.push('arch="$(uname -m)"');
    posts.push({
      header: '%post --nochroot --erroronfail',
      comment: '# Runs on the installer host against the installed root, like the Containerfile build stage.',
      lines: [...prelude, ...body],
    });
  }
  if (spec.insideSteps.length) {
    posts.push({
      header: '%post --erroronfail',
      comment: '# Runs inside the installed root.',
      lines: ['set -eu', ...scriptLines(stepItems(spec.insideSteps, { root: '', image: spec }), '$arch')],
    });
  }
  return {
    header: [
      ...headerLines(spec, 'Kickstart'),
      `# Kickstart syntax: ${d.handler}. Build with: livemedia-creator --no-virt --make-tar --ks ${spec.outputs.kickstart.split('/').pop()} --releasever ${spec.releasever}`,
    ],
    commands,
    packagesHeader: `%packages ${opts.join(' ')}`,
    packages,
    posts,
  };
}


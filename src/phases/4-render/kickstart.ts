// ImageSpec → the data the kickstart template prints. The commands and section headers are spelt
// for the release's pykickstart dialect in kickstart-commands.ts; this file lays out the sections.
import { provenance } from './provenance.js';
import type { ImageSpec, Step } from '../../model/spec.js';
import { commandContext } from './commands.js';
import { headerLines, installCommands } from './containerfile.js';
import { dialectFor, kickstartCommands, packagesHeader, postHeader, preHeader } from './kickstart-commands.js';
import { scriptLines, stepItems } from './runs.js';
import { quote } from './shell.js';
import { pushAll } from '../../util/arrays.js';

export { dialectFor, type KickstartDialect } from './kickstart-commands.js';

export interface PostSection {
  header: string;
  comment: string;
  lines: string[];
}

export interface KickstartView {
  header: string[];
  commands: string[];
  /** %pre and %addon sections, before %packages. */
  sections: PostSection[];
  packagesHeader: string;
  packages: string[];
  posts: PostSection[];
}

const ROOT_VAR = '"$root"';

/**
 * A step under a platform condition, with the platforms named by what `uname -m` prints (a
 * platform's uname is fixed by its declaration). Steps are shared by the images they reach, and so
 * is this copy of each, and its platform set: equal sets are one object (runs.ts compares them).
 */
const archSteps = new WeakMap<Step, Step>();
const archSets = new Map<string, NonNullable<Step['when']>>();
function byArch(s: Step, spec: ImageSpec): Step {
  let step = archSteps.get(s);
  if (!step) {
    const archOf = new Map(spec.platforms.map((p) => [p.name, p.uname]));
    const platforms = [...new Set(s.when!.platforms.map((p) => archOf.get(p) ?? p))];
    const key = platforms.join(' ');
    let when = archSets.get(key);
    if (!when) archSets.set(key, (when = Object.freeze({ platforms: Object.freeze(platforms) as string[] })));
    archSteps.set(s, (step = Object.freeze({ ...s, when })));
  }
  return step;
}

export function planKickstart(spec: ImageSpec): KickstartView {
  const d = dialectFor(spec.releasever);
  const ks = spec.kickstart;
  const commands = kickstartCommands(spec, d);
  for (const r of ks.raw) {
    commands.push(`# raw-kickstart: unchecked kickstart lines from ${r.origin.file} (${r.group})`, ...r.lines);
  }
  const sections: PostSection[] = [
    ...ks.pre.map((p) => ({ header: preHeader(p), comment: `# pre: unchecked shell from ${p.origin.file} (${p.group})`, lines: p.script.replace(/\n+$/, '').split('\n') })),
    ...ks.addons.map((a) => ({ header: [`%addon ${a.name}`, ...a.args].join(' '), comment: '', lines: [] })),
  ];
  const packages = [...spec.packages.install, ...spec.packages.exclude.map((x) => `-${x}`)];

  const posts: PostSection[] = [];
  const ctx = commandContext(ROOT_VAR, spec);
  // The transactions after %packages (reinstall, remove, clean) and every builder-side step run
  // from the installer host against the installed root, like the Containerfile's build stage.
  const install = installCommands(spec, ctx);
  // %packages installs (its --inst-langs stands for the language macro the Containerfile writes on
  // the builder before installing; in a kickstart that macro would land on the installer host).
  const beforeInstall = spec.installLangs?.length ? 1 : 0;
  const afterPackages = install.cmds.slice(beforeInstall).filter((c) => !(c.words[0] === 'dnf' && c.words[1] === 'install'));
  const usesPlatform = spec.steps.some((s) => s.when);
  const body: string[] = scriptLines([{ cmds: afterPackages }], '$arch');
  // Steps, in order; raw shell steps are inlined where they stand. In a kickstart the platform is
  // known by what `uname -m` prints, not by its OCI name.
  const steps = spec.steps.map((s) => (s.when ? byArch(s, spec) : s));
  let pending: typeof spec.steps = [];
  const flush = () => {
    if (pending.length) pushAll(body, scriptLines(stepItems(pending, ctx), '$arch'));
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
      header: postHeader(ks.post.nochroot, true),
      comment: '# Runs on the installer host against the installed root, like the Containerfile build stage.',
      lines: [...prelude, ...body],
    });
  }
  if (spec.insideSteps.length) {
    posts.push({
      header: postHeader(ks.post.chroot, false),
      comment: '# Runs inside the installed root.',
      lines: ['set -eu', ...scriptLines(stepItems(spec.insideSteps, commandContext('', spec)), '$arch')],
    });
  }
  return {
    header: [
      ...headerLines(spec, 'Kickstart'),
      `# Kickstart syntax: ${d.handler}. Build with: livemedia-creator --no-virt --make-tar --ks ${spec.outputs.kickstart.split('/').pop()} --releasever ${spec.releasever}`,
    ],
    commands,
    sections,
    packagesHeader: packagesHeader(spec, d),
    packages,
    posts,
  };
}


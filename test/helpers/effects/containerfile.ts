// Reads a generated Containerfile back into Effects: the Dockerfile is parsed with dockerfile-ast,
// each RUN with a real shell parser (shell.ts), and each command is read for what it does to the
// image root. Commands this reader does not know make it throw: the comparison never skips text.
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { accountDetail, sedAtoms } from './shared.js';
import { canonicalOptions, mode4, transactionAtom, type Atom, type Effects, type Transaction } from './model.js';
import { shellCommands, type ShellCommand } from './shell.js';
import { INSTALL_ROOT } from './spec.js';

const PLATFORM_VAR = '$TARGETPLATFORM';

/** The image path a builder path names, or undefined when it is outside the install root. */
function inRoot(p: string): string | undefined {
  if (p === INSTALL_ROOT) return '/';
  return p.startsWith(INSTALL_ROOT + '/') ? p.slice(INSTALL_ROOT.length) : undefined;
}

/** What printf(1) writes for a format without conversions: %% and backslash escapes decoded. */
export function printfOutput(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%') {
      if (format[i + 1] !== '%') throw new Error(`printf format with a conversion: ${format}`);
      out += '%';
      i++;
    } else if (c === '\\') {
      const n = format[i + 1]!;
      const oct = /^[0-7]{1,3}/.exec(format.slice(i + 1));
      if (oct) {
        out += String.fromCharCode(parseInt(oct[0], 8));
        i += oct[0].length;
        continue;
      }
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (!(n in simple)) throw new Error(`unknown printf escape \\${n}`);
      out += simple[n];
      i++;
    } else out += c;
  }
  return out;
}

interface DnfCall {
  verb: string;
  options: string[];
  args: string[];
}

const DNF_VALUE_OPTIONS = new Set(['--installroot', '--releasever', '--setopt', '--exclude']);
const DNF_FLAGS: Record<string, string> = { '-y': '-y', '--assumeyes': '-y', '--nodocs': '--nodocs', '--allowerasing': '--allowerasing' };

function dnfCall(argv: string[]): DnfCall {
  const options: string[] = [];
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (DNF_VALUE_OPTIONS.has(a)) options.push(`${a}=${argv[++i]}`);
    else if (/^--[a-z]+=/.test(a) && DNF_VALUE_OPTIONS.has(a.split('=')[0]!)) options.push(a);
    else if (a in DNF_FLAGS) options.push(DNF_FLAGS[a]!);
    else if (a.startsWith('-')) throw new Error(`unknown dnf option ${a}`);
    else rest.push(a);
  }
  return { verb: rest[0] ?? '', options: canonicalOptions(options), args: rest.slice(1) };
}

const intoRoot = (d: DnfCall) => d.options.includes(`--installroot=${INSTALL_ROOT}`);

/** Reads `-x VALUE` style options of groupadd/useradd; returns the fields and the final name. */
function accountArgs(argv: string[]): { name: string; fields: Record<string, string | true> } {
  const withValue = new Set(['-R', '-g', '-u', '-p', '-c', '-s', '-d']);
  const fields: Record<string, string | true> = {};
  let name = '';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.has(a)) fields[a] = argv[++i]!;
    else if (a.startsWith('-')) fields[a] = true;
    else name = a;
  }
  if (fields['-R'] !== INSTALL_ROOT) throw new Error(`${argv[0]} outside the install root`);
  return { name, fields };
}

class Reader {
  readonly effects: Effects;
  private pendingMacro?: { path: string; content: string };

  constructor() {
    this.effects = { mkdirInstallRoot: false, install: { packages: [], options: [] }, cleanAfterInstall: false, steps: [], final: { env: {}, labels: {} } };
  }

  /** The first RUN of the build stage: create the root, install, reinstall, clean. */
  installRun(cmds: ShellCommand[]): void {
    for (const c of cmds) {
      const [prog] = c.argv;
      if (prog === 'mkdir' && c.argv.join(' ') === `mkdir -p ${INSTALL_ROOT}`) this.effects.mkdirInstallRoot = true;
      else if (prog === 'printf' && c.redirect && !inRoot(c.redirect.target) && !c.redirect.append) {
        this.pendingMacro = { path: c.redirect.target, content: printfOutput(c.argv[1]!) };
      } else if (prog === 'dnf') {
        const d = dnfCall(c.argv);
        if (!intoRoot(d)) throw new Error('the install RUN works on the image root only');
        const t: Transaction = { packages: d.args, options: d.options };
        if (d.verb === 'install' && !this.pendingMacro) this.effects.install = t;
        else if (d.verb === 'reinstall') {
          this.effects.reinstall = { ...t, ...(this.pendingMacro ? { builderMacro: this.pendingMacro } : {}) };
          this.pendingMacro = undefined;
        } else if (d.verb === 'clean' && d.args.join(' ') === 'all') this.effects.cleanAfterInstall = true;
        else throw new Error(`unexpected dnf ${d.verb} in the install RUN`);
      } else throw new Error(`unexpected command in the install RUN: ${c.argv.join(' ')}`);
    }
  }

  /** Every other RUN: one command at a time, into atoms. */
  stepAtoms(cmds: ShellCommand[], scopeInside = false): Atom[] {
    const atoms: Atom[] = [];
    let repos: { name: string; matching: string; except: string } | undefined;
    for (const c of cmds) {
      const add = (a: Atom) => atoms.push(c.platforms ? { ...a, platforms: c.platforms } : a);
      if (c.assignment) {
        const greps = c.assignment.pipeline.filter((p) => p[0] === 'grep');
        const pick = (flag: string) => greps.find((g) => g[1] === flag)?.[2] ?? '';
        if (c.assignment.pipeline[0]!.join(' ') !== 'dnf repolist --all') throw new Error('unexpected command substitution');
        repos = { name: c.assignment.name, matching: pick('-Ei'), except: pick('-Eiv') };
        continue;
      }
      if (c.guard && !(repos && c.guard.join(' ') === `-n $${repos.name}`)) throw new Error(`unexpected if [ ${c.guard.join(' ')} ]`);
      for (const a of this.commandAtoms(c, repos, scopeInside)) add(a);
    }
    return atoms;
  }

  private commandAtoms(c: ShellCommand, repos: { name: string; matching: string; except: string } | undefined, inside: boolean): Atom[] {
    const [prog, ...args] = c.argv;
    const root = (kind: string, path: string, detail = ''): Atom => {
      const p = inRoot(path);
      if (p === undefined) throw new Error(`${prog} outside the image root: ${path}`);
      return { scope: 'root', kind, path: p, detail };
    };
    if (inside) {
      if (prog !== 'systemctl') throw new Error(`unexpected command inside the image: ${c.argv.join(' ')}`);
      if (args[0] === 'set-default' && args.length === 2) return [{ scope: 'inside', kind: 'set-default', path: '/etc/systemd/system/default.target', detail: args[1]! }];
      if (args[0] === 'mask') return args.slice(1).map((u) => ({ scope: 'inside', kind: 'mask', path: `/etc/systemd/system/${u}`, detail: '' }));
      throw new Error(`unexpected systemctl ${args.join(' ')}`);
    }
    switch (prog) {
      case 'rm': {
        const paths = args.filter((a) => !a.startsWith('-'));
        return paths.map((p) => (inRoot(p) === undefined ? { scope: 'builder', kind: 'remove', path: p, detail: '' } : root('remove', p)));
      }
      case 'mkdir':
      case 'touch':
        return args.filter((a) => a !== '-p').map((p) => root(prog, p));
      case 'chmod':
        return args.slice(1).map((p) => root('chmod', p, mode4(args[0]!)));
      case 'printf': {
        if (!c.redirect || args.length !== 1) throw new Error('printf without a redirection');
        const content = JSON.stringify(printfOutput(args[0]!));
        if (inRoot(c.redirect.target) === undefined) return [{ scope: 'builder', kind: 'write', path: c.redirect.target, detail: content }];
        return [root(c.redirect.append ? 'append' : 'write', c.redirect.target, content)];
      }
      case 'date':
        if (!c.redirect || args.length !== 1 || !args[0]!.startsWith('+')) throw new Error('date without +FORMAT > FILE');
        return [root('timestamp', c.redirect.target, args[0]!.slice(1))];
      case 'ln':
        if (args.length !== 3 || !/^-s[fn]*$/.test(args[0]!)) throw new Error(`unexpected ln ${args.join(' ')}`);
        return [root('symlink', args[2]!, args[1]!)];
      case 'groupadd':
      case 'useradd': {
        const { name, fields: f } = accountArgs(c.argv);
        const num = (k: string) => (typeof f[k] === 'string' ? Number(f[k]) : undefined);
        const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
        const detail = accountDetail(name, {
          uid: num('-u'),
          gid: num('-g'),
          system: f['-r'] === true,
          password: str('-p'),
          comment: str('-c'),
          shell: str('-s'),
          home: str('-d'),
          createHome: prog === 'useradd' ? f['-M'] !== true : undefined,
        });
        return [{ scope: 'root', kind: prog === 'groupadd' ? 'group' : 'user', path: '', detail }];
      }
      case 'sed': {
        if (args[0] !== '-i') throw new Error('sed without -i');
        const rest = args.slice(1);
        const exprs = rest[0] === '-e' ? rest.filter((_, i) => i % 2 === 1 && i < rest.length - 1) : [rest[0]!];
        const path = inRoot(rest[rest.length - 1]!);
        if (path === undefined) throw new Error('sed outside the image root');
        return sedAtoms(path, exprs, '/');
      }
      case 'systemd-tmpfiles': {
        if (args[0] !== `--root=${INSTALL_ROOT}`) throw new Error('systemd-tmpfiles outside the image root');
        const flags = args.slice(1).filter((a) => a.startsWith('--'));
        return args.slice(1).filter((a) => !a.startsWith('--')).map((conf) => ({ scope: 'root', kind: 'tmpfiles', path: conf, detail: flags.join(' ') }));
      }
      case 'install': {
        if (args[0] !== '-m') throw new Error('install without -m MODE');
        const mode = mode4(args[1]!);
        const dest = args[args.length - 1]!;
        return args.slice(2, -1).map((src) => root('copy-from-builder', dest.replace(/\/?$/, '/') + src.split('/').pop(), `from ${src} mode ${mode}`));
      }
      case 'dnf': {
        if (args[0] === 'config-manager') {
          // Enables the builder's repositories whose ids match, chosen by the `repos=$(…)` before it.
          if (!repos || args.join(' ') !== `config-manager --installroot ${INSTALL_ROOT} --enable $${repos.name}`) throw new Error(`unexpected dnf ${args.join(' ')}`);
          return [{ scope: 'root', kind: 'enable-repos', path: '', detail: `matching ${repos.matching} except ${repos.except}` }];
        }
        const d = dnfCall(c.argv);
        const scope = intoRoot(d) ? 'root' : 'builder';
        if (d.verb === 'install') return [transactionAtom(scope, 'install', { packages: d.args, options: d.options })];
        if (d.verb === 'upgrade' && scope === 'root' && !d.args.length) return [transactionAtom('root', 'upgrade', { packages: [], options: d.options })];
        if (d.verb === 'clean' && scope === 'root' && d.args.join(' ') === 'all') return [{ scope: 'root', kind: 'clean-metadata', path: '', detail: '' }];
        throw new Error(`unexpected dnf ${d.verb}`);
      }
      default:
        throw new Error(`a command this reader does not know: ${c.argv.join(' ')}`);
    }
  }

  final(instructions: Instruction[]): void {
    for (const ins of instructions) {
      const k = ins.getKeyword();
      if (k === 'ENV' || k === 'LABEL') {
        const props = (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
        for (const p of props) (k === 'ENV' ? this.effects.final.env : this.effects.final.labels)[p.getName()] = p.getValue() ?? '';
      } else if (k === 'CMD') this.effects.final.cmd = JSON.parse(ins.getArgumentsContent() ?? '[]') as string[];
      else if (k === 'STOPSIGNAL') this.effects.final.stopsignal = ins.getArgumentsContent() ?? '';
      else if (k !== 'COPY') throw new Error(`unexpected ${k} in the final stage`);
    }
  }
}

interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const from = ins as unknown as { getImageName(): string | null; getBuildStage(): string | null };
      out.push({ name: from.getBuildStage() ?? undefined, image: from.getImageName() ?? '', instructions: [] });
    } else if (out.length) out[out.length - 1]!.instructions.push(ins);
    else if (ins.getKeyword() !== 'ARG') throw new Error(`${ins.getKeyword()} before the first FROM`);
  }
  return out;
}

function copyOf(stage: Stage): { from: string; src: string; dest: string } {
  const copies = stage.instructions.filter((i) => i.getKeyword() === 'COPY');
  if (copies.length !== 1) throw new Error(`stage ${stage.name ?? '(final)'} must copy exactly once`);
  const c = copies[0] as unknown as { getFlags(): { getName(): string; getValue(): string | null }[]; getArguments(): { getValue(): string }[] };
  const [src, dest] = c.getArguments().map((a) => a.getValue());
  return { from: c.getFlags().find((f) => f.getName() === 'from')?.getValue() ?? '', src: src!, dest: dest! };
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => shellCommands(i.getArgumentsContent() ?? '', PLATFORM_VAR));

/**
 * Effects of a generated Containerfile. Its layout must be upstream's: a build stage
 * `system-build` on the builder, an optional `stage2` copied from the install root that runs
 * systemctl, and a final `FROM scratch` that copies the last stage's root.
 */
export function containerfileEffects(text: string): Effects {
  const all = stages(text);
  const build = all[0];
  if (!build || build.name !== 'system-build' || build.image !== '${SYSBASE}') throw new Error('the first stage must be `FROM ${SYSBASE} AS system-build`');
  const reader = new Reader();
  const [installRun, ...stepRuns] = runs(build);
  if (!installRun) throw new Error('the build stage has no RUN');
  reader.installRun(installRun);
  reader.effects.steps = stepRuns.flatMap((r) => reader.stepAtoms(r));

  const final = all[all.length - 1]!;
  if (final.name || final.image !== 'scratch') throw new Error('the last stage must be an unnamed FROM scratch');
  const stage2 = all.length === 3 ? all[1]! : undefined;
  if (all.length > 3 || (stage2 && (stage2.name !== 'stage2' || stage2.image !== 'scratch'))) throw new Error('unexpected stages');
  if (stage2) {
    const c = copyOf(stage2);
    if (c.from !== 'system-build' || c.src !== `${INSTALL_ROOT}/` || c.dest !== '/') throw new Error('stage2 must start from the install root');
    reader.effects.inside = runs(stage2).flatMap((r) => reader.stepAtoms(r, true));
    const env = stage2.instructions.filter((i) => i.getKeyword() === 'ENV');
    if (env.length) throw new Error('ENV in stage2 is not expected');
  }
  const fc = copyOf(final);
  const want = stage2 ? { from: 'stage2', src: '/' } : { from: 'system-build', src: `${INSTALL_ROOT}/` };
  if (fc.from !== want.from || fc.src !== want.src || fc.dest !== '/') throw new Error(`the final stage must copy ${want.src} from ${want.from}`);
  reader.final(final.instructions);
  return reader.effects;
}

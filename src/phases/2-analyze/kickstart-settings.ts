// Phase 2: the statements of a `kickstart { … }` block. Each is named after the kickstart command
// or section it produces, and its options are the kickstart's option names without the dashes
// (`network bootproto dhcp device link activate onboot on`). Every value is checked against the
// grammar kickstart and the installer give it; phase 4 spells the checked values for the
// release's pykickstart dialect. `raw-kickstart` and `pre` are the escape hatches: their text is
// checked only so that it cannot open or close a section, and is marked as unchecked in the output.
import { error } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import type { BodyItem } from '../../model/checked.js';
import { OMITTABLE, type Bootproto, type KickstartItem, type Omittable, type PostOptions } from '../../model/kickstart.js';
import { didYouMean } from '../../util/suggest.js';
import { looksLikeOption, readArgs, type OptionKind, type ReadArgs } from './args.js';
import { argCount, bool, checked, noBlock, oneOf, printable, unknownStatement, type Ctx } from './context.js';
import { CONTROL_OR_LINE_BREAK, KEYBOARD, LOCALE, TIMEZONE, checkPath, checkText } from './grammars.js';

export const KICKSTART_STATEMENTS = [
  'lang', 'keyboard', 'timezone', 'ntp', 'text', 'firewall', 'selinux', 'network', 'rootpw', 'bootloader', 'services',
  'zerombr', 'clearpart', 'autopart', 'part', 'shutdown', 'reboot', 'poweroff', 'halt', 'packages', 'addon', 'pre',
  'post-nochroot', 'post-chroot', 'raw-kickstart', 'omit',
] as const;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const HOST_OR_IP = (s: string) => (HOSTNAME.test(s) || IPV4.test(s) ? undefined : 'not a host name or IPv4 address');
const DEVICE = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;
const FSTYPE = /^(ext2|ext3|ext4|xfs|btrfs|vfat|efi|swap|biosboot|prepboot|tmpfs)$/;
const SERVICE = /^[A-Za-z0-9_][A-Za-z0-9_.@:-]{0,127}$/;
const FIREWALL_PORT = /^([0-9]{1,5}(-[0-9]{1,5})?:(tcp|udp|sctp|dccp)|[a-z][a-z0-9_-]*)$/;
/** A crypt(3) hash as the shadow file holds it, or a non-hash such as `locked` or `!`. */
const CRYPTED = /^[A-Za-z0-9./$!*]{1,512}$/;
const ADDON_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ADDON_ARG = /^--[a-z][a-z0-9-]{0,63}(=[A-Za-z0-9._:/,+@%-]{1,256})?$/;
/** %post bodies are POSIX shell: only a shell may run them. */
const POST_INTERPRETERS = ['/bin/sh', '/bin/bash', '/usr/bin/sh', '/usr/bin/bash'];

function path(ctx: Ctx, v: Value | undefined, what: string): string | undefined {
  if (!v) return undefined;
  return checked(ctx, v, what, (s) => checkPath(s, { glob: false }) ?? (/[\s'"\\$#`]/.test(s) ? 'a kickstart path cannot contain blanks, quotes, `$`, `#`, `` ` `` or `\\`' : undefined), 'E360');
}

function list(ctx: Ctx, a: ReadArgs, key: string, what: string, test: RegExp | ((s: string) => string | undefined)): string[] | undefined {
  const vs = a.options.get(key)?.values;
  if (!vs) return [];
  const out = vs.map((v) => checked(ctx, v, what, test, 'E360'));
  if (out.some((x) => x === undefined)) return undefined;
  for (const [i, s] of (out as string[]).entries()) {
    if (s.includes(',')) {
      ctx.diags.push(error('E360', vs[i]!.span, `\`${printable(s)}\` cannot contain a comma`, { expected: what, hint: 'kickstart joins list items with commas; give each item separately' }));
      return undefined;
    }
  }
  return out as string[];
}

/** Lines that a kickstart parser would read as a section header or end. */
function opensSection(ctx: Ctx, v: Value, lines: string[]): boolean {
  const bad = lines.find((l) => l.trimStart().startsWith('%'));
  if (bad === undefined) return false;
  ctx.diags.push(error('E361', v.span, `the line \`${printable(bad)}\` would start or end a kickstart section`, {
    expected: 'lines that do not start with `%`',
    hint: 'sections have their own statements (`pre`, `addon`); a `%` at the start of a shell line can be written as `\\%` or moved off the line start',
  }));
  return true;
}

/** Options, with misspelt ones reported; `words` are the bare words the statement takes as values. */
function options(ctx: Ctx, st: Statement, spec: Record<string, OptionKind>, words: readonly string[] = []): ReadArgs {
  // A statement that takes a value first (`ntp off`) reads its first word as that value, so a
  // wrong one is reported as a wrong value, not as an unknown option.
  const first = words.length ? st.args[0] : undefined;
  return readArgs(st, spec, ctx.diags, { optionLike: (w) => looksLikeOption(w) && !words.includes(w) && w !== first?.text });
}

export function kickstartStatement(ctx: Ctx, st: Statement): BodyItem | undefined {
  if (!(KICKSTART_STATEMENTS as readonly string[]).includes(st.name)) {
    unknownStatement(ctx, st, 'kickstart', KICKSTART_STATEMENTS);
    return undefined;
  }
  noBlock(ctx, st);
  const item = kickstartItem(ctx, st);
  return item ? { kind: 'kickstart', item, span: st.span } : undefined;
}

function kickstartItem(ctx: Ctx, st: Statement): KickstartItem | undefined {
  const name = st.name as (typeof KICKSTART_STATEMENTS)[number];
  switch (name) {
    case 'lang':
    case 'keyboard': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a value')) return undefined;
      const v = checked(ctx, a.positionals[0]!, name === 'lang' ? 'a locale such as C.UTF-8' : 'a keyboard layout such as us', name === 'lang' ? LOCALE : KEYBOARD, 'E316');
      return v === undefined ? undefined : { key: name, value: v };
    }
    case 'timezone': {
      const a = options(ctx, st, { 'local-clock': 'flag' });
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a time zone such as UTC')) return undefined;
      const zone = checked(ctx, a.positionals[0]!, 'a time zone such as UTC or Europe/Berlin', TIMEZONE, 'E316');
      return zone === undefined ? undefined : { key: 'timezone', value: { zone, utc: !a.options.has('local-clock') } };
    }
    case 'ntp': {
      const a = options(ctx, st, { servers: 'list' }, ['on', 'off', 'true', 'false', 'yes', 'no']);
      if (!argCount(ctx, st, a.positionals, 1, 1, '`on` or `off`')) return undefined;
      const enabled = bool(ctx, a.positionals[0], st);
      const servers = list(ctx, a, 'servers', 'an NTP server name or address', HOST_OR_IP);
      if (enabled === undefined || !servers) return undefined;
      if (!enabled && servers.length) {
        ctx.diags.push(error('E362', st.span, '`ntp off` cannot name servers', { expected: '`ntp off` or `ntp on servers [...]`', hint: 'remove `servers`, or write `ntp on`' }));
        return undefined;
      }
      return { key: 'ntp', value: { enabled, servers } };
    }
    case 'text':
    case 'zerombr': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 0, 1, '`on` or `off`')) return undefined;
      const v = a.positionals.length ? bool(ctx, a.positionals[0], st) : true;
      return v === undefined ? undefined : { key: name, value: v };
    }
    case 'firewall': {
      const a = options(ctx, st, { service: 'list', port: 'list', 'use-system-defaults': 'flag' }, ['enabled', 'disabled']);
      if (!argCount(ctx, st, a.positionals, 1, 1, '`enabled` or `disabled`')) return undefined;
      const mode = oneOf(ctx, a.positionals[0], st, ['enabled', 'disabled'] as const);
      const services = list(ctx, a, 'service', 'a firewalld service name such as ssh', /^[a-z0-9][a-z0-9_.-]{0,63}$/);
      const ports = list(ctx, a, 'port', 'a port such as 22:tcp', FIREWALL_PORT);
      if (!mode || !services || !ports) return undefined;
      if (mode === 'disabled' && (services.length || ports.length)) {
        ctx.diags.push(error('E362', st.span, 'a disabled firewall cannot open services or ports', { expected: '`firewall disabled` or `firewall enabled service [...]`', hint: 'remove `service`/`port`, or write `firewall enabled`' }));
        return undefined;
      }
      return { key: 'firewall', value: { enabled: mode === 'enabled', services, ports, systemDefaults: a.options.has('use-system-defaults') } };
    }
    case 'selinux': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a mode')) return undefined;
      const v = oneOf(ctx, a.positionals[0], st, ['disabled', 'permissive', 'enforcing'] as const);
      return v ? { key: 'selinux', value: v } : undefined;
    }
    case 'network': {
      const a = options(ctx, st, {
        bootproto: 'value', device: 'value', activate: 'flag', onboot: 'value', hostname: 'value',
        ip: 'value', netmask: 'value', gateway: 'value', nameserver: 'list', noipv6: 'flag',
      });
      if (!argCount(ctx, st, a.positionals, 0, 0, 'options only')) return undefined;
      const val = (k: string, what: string, test: RegExp | ((s: string) => string | undefined)) => {
        const v = a.options.get(k)?.value;
        return v ? checked(ctx, v, what, test, 'E360') : undefined;
      };
      const bpV = a.options.get('bootproto')?.value;
      const bootproto = bpV ? oneOf(ctx, bpV, st, ['dhcp', 'bootp', 'ibft', 'query', 'static'] as const) : undefined;
      const onbootV = a.options.get('onboot')?.value;
      const onboot = onbootV ? bool(ctx, onbootV, st) : undefined;
      const device = val('device', 'a device name, MAC address or `link`', DEVICE);
      const hostname = val('hostname', 'a host name', HOSTNAME);
      const ip = val('ip', 'an IPv4 address', IPV4);
      const netmask = val('netmask', 'an IPv4 netmask', IPV4);
      const gateway = val('gateway', 'an IPv4 address', IPV4);
      const nameservers = list(ctx, a, 'nameserver', 'an IPv4 address', IPV4);
      const errors = [[bpV, bootproto], [onbootV, onboot], ...(['device', 'hostname', 'ip', 'netmask', 'gateway'] as const).map((k, i) => [a.options.get(k)?.value, [device, hostname, ip, netmask, gateway][i]])];
      if (errors.some(([given, v]) => given && v === undefined) || !nameservers) return undefined;
      if (bootproto === 'static' && !ip) {
        ctx.diags.push(error('E362', st.span, '`bootproto static` needs `ip`', { expected: 'ip ADDRESS netmask MASK', hint: 'give the address, or use `bootproto dhcp`' }));
        return undefined;
      }
      return { key: 'network', value: { bootproto: bootproto as Bootproto | undefined, device, activate: a.options.has('activate'), onboot, hostname, ip, netmask, gateway, nameservers, noipv6: a.options.has('noipv6') } };
    }
    case 'rootpw': {
      const a = options(ctx, st, { crypted: 'value', lock: 'flag' }, ['locked']);
      if (a.positionals.length === 1 && a.positionals[0]!.text === 'locked' && a.positionals[0]!.kind === 'word' && !a.options.size) {
        return { key: 'rootpw', value: { lock: true, crypted: 'locked' } };
      }
      const c = a.options.get('crypted')?.value;
      if (a.positionals.length || !c) {
        ctx.diags.push(error('E208', st.span, '`rootpw` needs `locked` or `crypted "HASH"`', {
          expected: 'rootpw locked | rootpw crypted "$6$…" [lock]',
          hint: 'plain-text passwords are not accepted: give a crypt(3) hash (`openssl passwd -6`)',
        }));
        return undefined;
      }
      const crypted = checked(ctx, c, 'a crypt(3) hash', CRYPTED, 'E360', 'a hash uses letters, digits and . / $');
      return crypted === undefined ? undefined : { key: 'rootpw', value: { lock: a.options.has('lock'), crypted } };
    }
    case 'bootloader': {
      const a = options(ctx, st, { location: 'value' }, ['disabled']);
      const loc = a.options.get('location')?.value;
      if (a.positionals.length === 1 && a.positionals[0]!.text === 'disabled' && !loc) return { key: 'bootloader', value: { disabled: true } };
      if (!a.positionals.length && loc) {
        const location = oneOf(ctx, loc, st, ['none', 'mbr', 'partition', 'boot'] as const);
        return location ? { key: 'bootloader', value: { disabled: false, location } } : undefined;
      }
      ctx.diags.push(error('E208', st.span, '`bootloader` needs `disabled` or `location none|mbr|partition|boot`', { expected: 'bootloader disabled', hint: 'container images have no boot loader: write `bootloader disabled`' }));
      return undefined;
    }
    case 'services': {
      const a = options(ctx, st, { enabled: 'list', disabled: 'list' });
      if (!argCount(ctx, st, a.positionals, 0, 0, 'options only')) return undefined;
      const enabled = list(ctx, a, 'enabled', 'a service name such as sshd', SERVICE);
      const disabled = list(ctx, a, 'disabled', 'a service name such as sshd', SERVICE);
      if (!enabled || !disabled) return undefined;
      if (!enabled.length && !disabled.length) {
        ctx.diags.push(error('E208', st.span, '`services` needs `enabled [...]` or `disabled [...]`', { expected: 'services enabled [sshd] disabled [kdump]' }));
        return undefined;
      }
      const both = enabled.find((s) => disabled.includes(s));
      if (both) {
        ctx.diags.push(error('E362', st.span, `\`${both}\` is both enabled and disabled`, { expected: 'each service in one list', hint: 'remove it from one of the lists' }));
        return undefined;
      }
      return { key: 'services', value: { enabled, disabled } };
    }
    case 'clearpart': {
      const a = options(ctx, st, { initlabel: 'flag' }, ['all', 'linux', 'none']);
      if (!argCount(ctx, st, a.positionals, 1, 1, '`all`, `linux` or `none`')) return undefined;
      const which = oneOf(ctx, a.positionals[0], st, ['all', 'linux', 'none'] as const);
      return which ? { key: 'clearpart', value: { which, initlabel: a.options.has('initlabel') } } : undefined;
    }
    case 'autopart': {
      const a = options(ctx, st, { fstype: 'value', type: 'value', nolvm: 'flag', nohome: 'flag', noboot: 'flag', noswap: 'flag' });
      if (!argCount(ctx, st, a.positionals, 0, 0, 'options only')) return undefined;
      const fsV = a.options.get('fstype')?.value;
      const fstype = fsV ? checked(ctx, fsV, 'a file system type such as ext4 or xfs', FSTYPE, 'E360') : undefined;
      const tV = a.options.get('type')?.value;
      const type = tV ? oneOf(ctx, tV, st, ['lvm', 'plain', 'thinp'] as const) : undefined;
      if ((fsV && !fstype) || (tV && !type)) return undefined;
      if (a.options.has('nolvm') && type) {
        ctx.diags.push(error('E362', st.span, '`nolvm` and `type` say the same thing twice', { expected: 'one of them', hint: '`nolvm` is the older spelling of `type plain`' }));
        return undefined;
      }
      return { key: 'autopart', value: { fstype, type, nolvm: a.options.has('nolvm'), nohome: a.options.has('nohome'), noboot: a.options.has('noboot'), noswap: a.options.has('noswap') } };
    }
    case 'part': {
      const a = options(ctx, st, { fstype: 'value', size: 'value', grow: 'flag' }, ['swap', 'biosboot']);
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a mount point such as / or swap')) return undefined;
      const mount = checked(ctx, a.positionals[0]!, 'a mount point (/, /var, swap, biosboot)', (s) => (s === 'swap' || s === 'biosboot' ? undefined : checkPath(s, { glob: false }) ?? (/[\s'"\\$#`]/.test(s) ? 'a mount point cannot contain blanks or quotes' : undefined)), 'E360');
      const fsV = a.options.get('fstype')?.value;
      const fstype = fsV ? checked(ctx, fsV, 'a file system type such as ext4 or xfs', FSTYPE, 'E360') : undefined;
      const sV = a.options.get('size')?.value;
      const size = sV ? checked(ctx, sV, 'a size in MiB', /^[1-9][0-9]{0,8}$/, 'E360') : undefined;
      if (mount === undefined || (fsV && !fstype) || (sV && !size)) return undefined;
      return { key: 'part', value: { mount, fstype, size: size ? Number(size) : undefined, grow: a.options.has('grow') } };
    }
    case 'shutdown':
    case 'reboot':
    case 'poweroff':
    case 'halt': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 0, 0, 'no values')) return undefined;
      return { key: 'finish', value: name };
    }
    case 'packages': {
      const a = options(ctx, st, { nocore: 'flag', ignoremissing: 'flag' });
      if (!argCount(ctx, st, a.positionals, 0, 0, 'options only (nocore, ignoremissing)')) return undefined;
      return { key: 'packages', value: { nocore: a.options.has('nocore'), ignoremissing: a.options.has('ignoremissing') } };
    }
    case 'addon': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 1, 64, 'an add-on name such as com_redhat_kdump')) return undefined;
      const addon = checked(ctx, a.positionals[0]!, 'an add-on name such as com_redhat_kdump', ADDON_NAME, 'E360');
      const args = a.positionals.slice(1).map((v) => checked(ctx, v, 'an add-on option such as "--disable"', ADDON_ARG, 'E360', 'add-on options are written as the kickstart has them, quoted: "--disable", "--reserve-mb=auto"'));
      if (addon === undefined || args.some((x) => x === undefined)) return undefined;
      return { key: 'addon', value: { name: addon, args: args as string[] } };
    }
    case 'pre': {
      const a = options(ctx, st, { interpreter: 'value', log: 'value', erroronfail: 'flag' });
      if (!argCount(ctx, st, a.positionals, 1, 1, 'the script, as a string or text block')) return undefined;
      const v = a.positionals[0]!;
      const script = checked(ctx, v, 'a script', (s) => checkText(s) ?? (s.replace(/[\t\n]/g, ' ').match(CONTROL_OR_LINE_BREAK) ? 'a script cannot contain control characters other than tab and newline' : undefined), 'E360');
      const interpreter = path(ctx, a.options.get('interpreter')?.value, 'an interpreter such as /bin/sh');
      const log = path(ctx, a.options.get('log')?.value, 'a log file path');
      if (script === undefined || (a.options.has('interpreter') && !interpreter) || (a.options.has('log') && !log)) return undefined;
      if (opensSection(ctx, v, script.split('\n'))) return undefined;
      return { key: 'pre', value: { script, interpreter, log, erroronfail: a.options.has('erroronfail') } };
    }
    case 'post-nochroot':
    case 'post-chroot': {
      const a = options(ctx, st, { erroronfail: 'flag', log: 'value', interpreter: 'value' });
      if (!argCount(ctx, st, a.positionals, 0, 0, 'options only (erroronfail, log, interpreter)')) return undefined;
      const log = path(ctx, a.options.get('log')?.value, 'a log file path');
      const iV = a.options.get('interpreter')?.value;
      const interpreter = iV ? checked(ctx, iV, `a POSIX shell (${POST_INTERPRETERS.join(', ')})`, (s) => (POST_INTERPRETERS.includes(s) ? undefined : 'almac writes %post sections in POSIX shell, which only a shell can run'), 'E360') : undefined;
      if ((a.options.has('log') && !log) || (iV && !interpreter)) return undefined;
      const value: PostOptions = { erroronfail: a.options.has('erroronfail'), ...(log ? { log } : {}), ...(interpreter ? { interpreter } : {}) };
      return { key: name, value };
    }
    case 'raw-kickstart': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 1, 1, 'kickstart lines, as a string or text block')) return undefined;
      const v = a.positionals[0]!;
      const text = checked(ctx, v, 'kickstart lines', (s) => (s.replace(/[\t\n]/g, ' ').match(CONTROL_OR_LINE_BREAK) ? 'kickstart lines cannot contain control characters other than tab and newline' : undefined), 'E360');
      if (text === undefined) return undefined;
      const lines = text.replace(/\n+$/, '').split('\n');
      if (opensSection(ctx, v, lines)) return undefined;
      return { key: 'raw-kickstart', value: lines };
    }
    case 'omit': {
      const a = readArgs(st, {}, ctx.diags);
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'the commands to drop')) return undefined;
      const out: Omittable[] = [];
      for (const v of a.positionals) {
        const n = ['shutdown', 'reboot', 'poweroff', 'halt'].includes(v.text) ? 'finish' : v.text;
        if (!(OMITTABLE as readonly string[]).includes(n)) {
          ctx.diags.push(error('E360', v.span, `\`${printable(v.text)}\` is not a kickstart command almac can drop`, { expected: `one of: ${OMITTABLE.join(', ')}`, hint: didYouMean(v.text, OMITTABLE) }));
          return undefined;
        }
        out.push(n as Omittable);
      }
      return { key: 'omit', value: out };
    }
  }
}

/**
 * `naming { title "…" }` and `naming { kickstart-file "…" }`: what generated headers call the
 * distribution and release, and the kickstart's file name. Both may use {release}, {image},
 * {version} and {releasever}.
 */
export function namingExtra(ctx: Ctx, key: 'title' | 'kickstart-file', v: Value): string | undefined {
  const PLACE = ['release', 'image', 'version', 'releasever'];
  const s =
    key === 'title'
      ? checked(ctx, v, 'a one-line title such as "AlmaLinux {release}"', (x) => checkSingleLineTitle(x), 'E340')
      : checked(ctx, v, 'a file name such as "example-{release}-{image}.ks"', /^[A-Za-z0-9._{}-]+\.ks$/, 'E340', 'a kickstart file name uses letters, digits, . _ - and {placeholders}, and ends in .ks');
  if (s === undefined) return undefined;
  for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
    if (!PLACE.includes(m[1]!)) {
      ctx.diags.push(error('E341', v.span, `unknown placeholder \`{${m[1]}}\``, { expected: PLACE.map((p) => `{${p}}`).join(', ') }));
      return undefined;
    }
  }
  if (/[{}]/.test(s.replace(/\{[a-z]+\}/g, ''))) {
    ctx.diags.push(error('E341', v.span, 'unbalanced `{` or `}`', { expected: '{placeholder}' }));
    return undefined;
  }
  return s;
}

function checkSingleLineTitle(s: string): string | undefined {
  if (s.replace(/\t/g, ' ').match(CONTROL_OR_LINE_BREAK)) return 'a title must be a single line without control characters';
  if (!s.trim()) return 'a title cannot be empty';
  return undefined;
}

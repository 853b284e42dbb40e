// The kickstart's commands and section headers, spelt for the release's pykickstart handler.
// RHEL 8 (pykickstart's RHEL8 handler) has only the camelCase %packages options and no
// `timesource` (NTP is switched off with `timezone --nontp`); RHEL 9 deprecates those spellings
// and RHEL 10 removes them. The per-handler facts, and a validator every kickstart must pass with
// no errors and no warnings, are in test/fixtures/kickstart/dialects.json and test/kickstart/.
import type { KickstartSettings, PostOptions } from '../../model/kickstart.js';
import type { ImageSpec } from '../../model/spec.js';

export interface KickstartDialect {
  /** pykickstart handler version the file is written for. */
  handler: 'RHEL8' | 'RHEL9' | 'RHEL10';
  excludeWeakdeps: string;
  instLangs: string;
  /** How NTP is configured: RHEL 8 on `timezone`; 9 deprecates that for `timesource`. */
  ntp: 'timezone' | 'timesource';
}

export function dialectFor(releasever: string): KickstartDialect {
  const v = Number(releasever);
  if (v <= 8) return { handler: 'RHEL8', excludeWeakdeps: '--excludeWeakdeps', instLangs: '--instLangs', ntp: 'timezone' };
  if (v === 9) return { handler: 'RHEL9', excludeWeakdeps: '--exclude-weakdeps', instLangs: '--inst-langs', ntp: 'timesource' };
  return { handler: 'RHEL10', excludeWeakdeps: '--exclude-weakdeps', instLangs: '--inst-langs', ntp: 'timesource' };
}

/** The installation source and repositories: the first repository is `url`, the others `repo`. */
function sourceCommands(spec: ImageSpec): string[] {
  const [first, ...rest] = spec.repositories;
  const out: string[] = [];
  if (first) out.push(first.baseurl ? `url --url=${first.baseurl}` : `url --mirrorlist=${first.mirrorlist}`);
  for (const r of rest) out.push(`repo --name=${r.id} ${r.baseurl ? `--baseurl=${r.baseurl}` : `--mirrorlist=${r.mirrorlist}`}`);
  return out;
}

function timeCommands(ks: KickstartSettings, d: KickstartDialect): string[] {
  const out: string[] = [];
  const tz = ks.timezone;
  const ntp = ks.ntp;
  if (d.ntp === 'timezone') {
    const opts = [];
    if (tz?.utc) opts.push('--utc');
    if (ntp && !ntp.enabled) opts.push('--nontp');
    if (ntp?.servers.length) opts.push(`--ntpservers=${ntp.servers.join(',')}`);
    // RHEL 8 has no timesource: NTP settings need a timezone command to stand on.
    if (tz) out.push([`timezone ${tz.zone}`, ...opts].join(' '));
    else if (opts.length) out.push(['timezone', ...opts].join(' '));
    return out;
  }
  if (tz) out.push(`timezone ${tz.zone}${tz.utc ? ' --utc' : ''}`);
  if (ntp && !ntp.enabled) out.push('timesource --ntp-disable');
  for (const s of ntp?.servers ?? []) out.push(`timesource --ntp-server=${s}`);
  return out;
}

/** Every command line, in a fixed order, for the settings that are declared. */
export function kickstartCommands(spec: ImageSpec, d: KickstartDialect): string[] {
  const ks = spec.kickstart;
  const out = sourceCommands(spec);
  if (ks.text) out.push('text');
  if (ks.lang) out.push(`lang ${ks.lang}`);
  if (ks.keyboard) out.push(`keyboard ${ks.keyboard}`);
  out.push(...timeCommands(ks, d));
  const n = ks.network;
  if (n) {
    const o = ['network'];
    if (n.activate) o.push('--activate');
    if (n.bootproto) o.push(`--bootproto=${n.bootproto}`);
    if (n.device) o.push(`--device=${n.device}`);
    if (n.onboot !== undefined) o.push(`--onboot=${n.onboot ? 'on' : 'off'}`);
    if (n.ip) o.push(`--ip=${n.ip}`);
    if (n.netmask) o.push(`--netmask=${n.netmask}`);
    if (n.gateway) o.push(`--gateway=${n.gateway}`);
    if (n.nameservers.length) o.push(`--nameserver=${n.nameservers.join(',')}`);
    if (n.hostname) o.push(`--hostname=${n.hostname}`);
    if (n.noipv6) o.push('--noipv6');
    out.push(o.join(' '));
  }
  const f = ks.firewall;
  if (f) {
    const o = ['firewall', f.enabled ? '--enabled' : '--disabled'];
    if (f.systemDefaults) o.push('--use-system-defaults');
    if (f.services.length) o.push(`--service=${f.services.join(',')}`);
    if (f.ports.length) o.push(`--port=${f.ports.join(',')}`);
    out.push(o.join(' '));
  }
  if (ks.selinux) out.push(`selinux --${ks.selinux}`);
  const s = ks.services;
  if (s) {
    const o = ['services'];
    if (s.disabled.length) o.push(`--disabled=${s.disabled.join(',')}`);
    if (s.enabled.length) o.push(`--enabled=${s.enabled.join(',')}`);
    out.push(o.join(' '));
  }
  const b = ks.bootloader;
  if (b) out.push(b.disabled ? 'bootloader --disabled' : `bootloader --location=${b.location}`);
  if (ks.zerombr) out.push('zerombr');
  const c = ks.clearpart;
  if (c) out.push(`clearpart --${c.which}${c.initlabel ? ' --initlabel' : ''}`);
  const a = ks.autopart;
  if (a) {
    const o = ['autopart'];
    if (a.fstype) o.push(`--fstype=${a.fstype}`);
    if (a.type) o.push(`--type=${a.type}`);
    if (a.nolvm) o.push('--nolvm');
    if (a.nohome) o.push('--nohome');
    if (a.noboot) o.push('--noboot');
    if (a.noswap) o.push('--noswap');
    out.push(o.join(' '));
  }
  for (const p of ks.parts) {
    const o = ['part', p.mount];
    if (p.fstype) o.push(`--fstype=${p.fstype}`);
    if (p.size) o.push(`--size=${p.size}`);
    if (p.grow) o.push('--grow');
    out.push(o.join(' '));
  }
  const r = ks.rootpw;
  if (r) out.push(`rootpw${r.lock ? ' --lock' : ''} --iscrypted ${r.crypted}`);
  if (ks.finish) out.push(ks.finish);
  return out;
}

export function packagesHeader(spec: ImageSpec, d: KickstartDialect): string {
  const opts = [];
  if (spec.kickstart.packages.nocore) opts.push('--nocore');
  if (!spec.docs) opts.push('--excludedocs');
  if (!spec.weakDeps) opts.push(d.excludeWeakdeps);
  if (spec.installLangs?.length) opts.push(`${d.instLangs}=${spec.installLangs.join(':')}`);
  if (spec.kickstart.packages.ignoremissing) opts.push('--ignoremissing');
  return ['%packages', ...opts].join(' ');
}

export function postHeader(o: PostOptions, nochroot: boolean): string {
  const opts = ['%post'];
  if (nochroot) opts.push('--nochroot');
  if (o.erroronfail) opts.push('--erroronfail');
  if (o.interpreter) opts.push(`--interpreter=${o.interpreter}`);
  if (o.log) opts.push(`--log=${o.log}`);
  return opts.join(' ');
}

export function preHeader(p: { interpreter?: string; log?: string; erroronfail: boolean }): string {
  const opts = ['%pre'];
  if (p.erroronfail) opts.push('--erroronfail');
  if (p.interpreter) opts.push(`--interpreter=${p.interpreter}`);
  if (p.log) opts.push(`--log=${p.log}`);
  return opts.join(' ');
}

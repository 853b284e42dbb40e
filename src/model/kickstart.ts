// The kickstart an image declares: every command and section almac can emit, as data. Phase 2
// checks each `kickstart { … }` statement into a KickstartItem; phase 3 applies them in order
// (a later statement replaces an earlier one of the same command, `omit` drops one); phase 4
// spells the result for the release's pykickstart dialect. A command that is never declared is
// not emitted: the defaults live in the definitions, not in the compiler.
import type { Origin } from './spec.js';

export type SelinuxMode = 'disabled' | 'permissive' | 'enforcing';
export type FinishAction = 'shutdown' | 'reboot' | 'poweroff' | 'halt';
export type Bootproto = 'dhcp' | 'bootp' | 'ibft' | 'query' | 'static';
export type AutopartType = 'lvm' | 'plain' | 'thinp';

export interface NtpSettings {
  /** `ntp off`: RHEL 8 spells it `timezone --nontp`, RHEL 9 and later `timesource --ntp-disable`. */
  enabled: boolean;
  /** RHEL 8: `timezone --ntpservers=a,b`; later: one `timesource --ntp-server=a` per server. */
  servers: string[];
}

export interface NetworkSettings {
  bootproto?: Bootproto;
  device?: string;
  activate: boolean;
  onboot?: boolean;
  hostname?: string;
  ip?: string;
  netmask?: string;
  gateway?: string;
  nameservers: string[];
  noipv6: boolean;
}

export interface FirewallSettings {
  enabled: boolean;
  services: string[];
  ports: string[];
  systemDefaults: boolean;
}

export interface AutopartSettings {
  fstype?: string;
  type?: AutopartType;
  /** `--nolvm`, the older spelling of `--type=plain` that every RHEL handler still takes. */
  nolvm: boolean;
  nohome: boolean;
  noboot: boolean;
  noswap: boolean;
}

export interface PartSettings {
  mount: string;
  fstype?: string;
  /** MiB */
  size?: number;
  grow: boolean;
}

export interface ClearpartSettings {
  which: 'all' | 'linux' | 'none';
  initlabel: boolean;
}

export interface AddonSection {
  /** e.g. com_redhat_kdump */
  name: string;
  /** Its header options, as written in the kickstart (`--disable`). */
  args: string[];
}

/** A %pre section: shell that almac does not check, marked so in the output. */
export interface PreSection {
  script: string;
  interpreter?: string;
  log?: string;
  erroronfail: boolean;
  origin: Origin;
  group: string;
}

/** Options of one of the %post sections almac writes. */
export interface PostOptions {
  erroronfail: boolean;
  log?: string;
  interpreter?: string;
}

/** Kickstart lines written as they are (`raw-kickstart`), marked as unchecked in the output. */
export interface RawKickstart {
  lines: string[];
  origin: Origin;
  group: string;
}

export interface KickstartSettings {
  lang?: string;
  keyboard?: string;
  timezone?: { zone: string; utc: boolean };
  ntp?: NtpSettings;
  text?: boolean;
  firewall?: FirewallSettings;
  selinux?: SelinuxMode;
  network?: NetworkSettings;
  /** `rootpw --lock --iscrypted HASH`; `locked` is the conventional non-hash of a locked account. */
  rootpw?: { lock: boolean; crypted: string };
  bootloader?: { disabled: boolean; location?: 'none' | 'mbr' | 'partition' | 'boot' };
  services?: { enabled: string[]; disabled: string[] };
  zerombr?: boolean;
  clearpart?: ClearpartSettings;
  autopart?: AutopartSettings;
  parts: PartSettings[];
  finish?: FinishAction;
  /** %packages options not derived from the package settings (docs, weak-deps, install-langs). */
  packages: { nocore: boolean; ignoremissing: boolean };
  addons: AddonSection[];
  pre: PreSection[];
  /** The section run from the installer against the installed root, and the chrooted one. */
  post: { nochroot: PostOptions; chroot: PostOptions };
  raw: RawKickstart[];
}

/** Commands and sections `omit` can drop (they are the names of the `kickstart { }` statements). */
export const OMITTABLE = [
  'lang', 'keyboard', 'timezone', 'ntp', 'text', 'firewall', 'selinux', 'network', 'rootpw', 'bootloader', 'services',
  'zerombr', 'clearpart', 'autopart', 'part', 'finish', 'addon', 'pre', 'raw-kickstart',
] as const;
export type Omittable = (typeof OMITTABLE)[number];

/** One checked `kickstart { … }` statement. */
export type KickstartItem =
  | { key: 'lang' | 'keyboard'; value: string }
  | { key: 'timezone'; value: { zone: string; utc: boolean } }
  | { key: 'ntp'; value: NtpSettings }
  | { key: 'text'; value: boolean }
  | { key: 'firewall'; value: FirewallSettings }
  | { key: 'selinux'; value: SelinuxMode }
  | { key: 'network'; value: NetworkSettings }
  | { key: 'rootpw'; value: { lock: boolean; crypted: string } }
  | { key: 'bootloader'; value: { disabled: boolean; location?: 'none' | 'mbr' | 'partition' | 'boot' } }
  | { key: 'services'; value: { enabled: string[]; disabled: string[] } }
  | { key: 'zerombr'; value: boolean }
  | { key: 'clearpart'; value: ClearpartSettings }
  | { key: 'autopart'; value: AutopartSettings }
  | { key: 'part'; value: PartSettings }
  | { key: 'finish'; value: FinishAction }
  | { key: 'packages'; value: { nocore: boolean; ignoremissing: boolean } }
  | { key: 'addon'; value: AddonSection }
  | { key: 'pre'; value: Omit<PreSection, 'origin' | 'group'> }
  | { key: 'post-nochroot' | 'post-chroot'; value: PostOptions }
  | { key: 'raw-kickstart'; value: string[] }
  | { key: 'omit'; value: Omittable[] };

export function emptyKickstart(): KickstartSettings {
  return {
    parts: [],
    packages: { nocore: false, ignoremissing: false },
    addons: [],
    pre: [],
    post: { nochroot: { erroronfail: false }, chroot: { erroronfail: false } },
    raw: [],
  };
}

// How every line of Rocky Linux's %post sections is expressed in the definitions of
// test/fixtures/distributions/rocky: exactly (an almac operation with the same effect), by the
// escape hatch (`raw-shell`), or not at all (with the reason). distributions.test.ts checks that
// every upstream line is listed here and that the generated kickstarts hold the listed lines, and
// nothing else. Upstream lines are "logical" lines: continuation lines joined, blanks collapsed.

export type How = 'exact' | 'escape hatch' | 'not at all';

export interface PostLine {
  upstream: string;
  how: How;
  /** Generated lines (blank-collapsed) that do what the upstream line does; each must be present. */
  generated: string[];
  note?: string;
}

const common: PostLine[] = [
  { upstream: "echo 'container' > /etc/dnf/vars/infra", how: 'exact', generated: [`printf 'container\\n' > "$root"/etc/dnf/vars/infra`] },
  { upstream: `echo 'LANG="C.UTF-8"' > /etc/locale.conf`, how: 'exact', generated: [`printf 'LANG="C.UTF-8"\\n' > "$root"/etc/locale.conf`] },
  { upstream: 'umount /run', how: 'escape hatch', generated: [`(cd / && sh -eu -c 'umount "$root"/run || true`], note: 'no almac operation unmounts' },
  { upstream: 'systemd-tmpfiles --create --boot', how: 'escape hatch', generated: ['systemd-tmpfiles --root="$root" --create --boot || true'], note: '`tmpfiles` takes named configurations and has no --boot' },
  {
    upstream: 'systemctl mask console-getty.service dev-hugepages.mount getty.target sys-fs-fuse-connections.mount systemd-logind.service systemd-remount-fs.service',
    how: 'exact',
    generated: ['systemctl mask console-getty.service dev-hugepages.mount getty.target sys-fs-fuse-connections.mount systemd-logind.service systemd-remount-fs.service'],
  },
  { upstream: 'rm -f /etc/udev/hwdb.bin', how: 'exact', generated: ['rm -rf "$root"/etc/udev/hwdb.bin "$root"/usr/lib/udev/hwdb.d/ "$root"/boot "$root"/var/lib/dnf/history.*'] },
];

const quotedCleanup: PostLine = {
  upstream: 'rm -rf /usr/lib/udev/hwdb.d/ /boot /var/lib/dnf/history.* "/tmp/*" "/tmp/.*" || true',
  how: 'exact',
  generated: ['rm -rf "$root"/etc/udev/hwdb.bin "$root"/usr/lib/udev/hwdb.d/ "$root"/boot "$root"/var/lib/dnf/history.*'],
  note: 'the quoted "/tmp/*" and "/tmp/.*" name files literally called * and .*, so upstream removes nothing there; almac leaves them out',
};

const base: PostLine[] = [
  ...common,
  { upstream: '/bin/date +%Y%m%d_%H%M > /etc/BUILDTIME', how: 'exact', generated: ['date +%Y%m%d_%H%M > "$root"/etc/BUILDTIME'] },
  { upstream: 'LANG="en_US"', how: 'exact', generated: [], note: 'a shell variable read only by the next line; its value is written there' },
  { upstream: 'echo "%_install_langs $LANG" > /etc/rpm/macros.image-language-conf', how: 'exact', generated: [`printf '%%_install_langs en_US\\n' > "$root"/etc/rpm/macros.image-language-conf`] },
  { upstream: ':> /etc/machine-id', how: 'exact', generated: [`printf '' > "$root"/etc/machine-id`] },
];

const minimal: PostLine[] = [
  ...common,
  { upstream: 'rpm --rebuilddb', how: 'escape hatch', generated: [`(cd / && sh -eu -c 'rpm --root "$root" --rebuilddb')`], note: 'no almac operation rebuilds the rpm database' },
  { upstream: '/bin/date +%Y-%m-%d_%H:%M:%S > /etc/BUILDTIME', how: 'exact', generated: ['date +%Y-%m-%d_%H:%M:%S > "$root"/etc/BUILDTIME'] },
  { upstream: 'LANG="en_US"', how: 'not at all', generated: [], note: 'sets a shell variable that no later line reads' },
  { upstream: "echo '%_install_langs en_US.UTF-8' > /etc/rpm/macros.image-language-conf", how: 'exact', generated: [`printf '%%_install_langs en_US.UTF-8\\n' > "$root"/etc/rpm/macros.image-language-conf`] },
  { upstream: 'rm -f /var/lib/dnf/history.*', how: 'exact', generated: ['rm -rf "$root"/var/lib/dnf/history.*'] },
  { upstream: 'rm -fr "/var/log/*" "/tmp/*" "/tmp/.*"', how: 'not at all', generated: [], note: 'every pattern is quoted, so upstream removes nothing; almac would expand them' },
  {
    upstream: `for dir in $(ls -d "/usr/share/{locale,i18n}/*" | grep -v 'en_US\\|all_languages\\|locale\\.alias'); do rm -fr $dir; done`,
    how: 'not at all',
    generated: [],
    note: 'the quoted pattern names no file (ls fails, the loop never runs), so upstream removes nothing',
  },
  quotedCleanup,
];

/** Upstream %post lines per kickstart file name. */
export const ROCKY_POST: Record<string, PostLine[]> = {
  'Rocky-8-Container-Base.ks': [
    ...base,
    {
      upstream: 'rm -rf /usr/lib/udev/hwdb.d/ /boot /var/lib/dnf/history.* /tmp/* /tmp/.* || true',
      how: 'exact',
      generated: ['rm -rf "$root"/etc/udev/hwdb.bin "$root"/usr/lib/udev/hwdb.d/ "$root"/boot "$root"/var/lib/dnf/history.*', 'rm -rf "$root"/tmp/*'],
      note: 'except /tmp/.*, which is not expressed: it also matches . and .., and upstream only gets past that by `|| true`',
    },
  ],
  'Rocky-9-Container-Base.ks': [...base, quotedCleanup],
  'Rocky-10-Container-Base.ks': [...base, quotedCleanup],
  'Rocky-8-Container-Minimal.ks': minimal,
  'Rocky-9-Container-Minimal.ks': minimal,
  'Rocky-10-Container-Minimal.ks': minimal,
};

/** Package lines that are written differently, and why. */
export const PACKAGE_SPELLING: Record<string, { generated: string; note: string }> = {
  '-grub\\*': { generated: '-grub*', note: 'upstream escapes the star (grub\\*); almac package names have no backslash, so it writes the glob grub*, which excludes every grub package' },
};

// The equivalence checker itself: it must notice every kind of difference it claims to check, and
// its readers must refuse what they do not understand. Each case changes one real generated
// Containerfile (or its effects) in one way and expects the comparison to report exactly that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareEffects, conflict, overlaps } from '../helpers/effects/compare.js';
import { containerfileEffects, printfOutput } from '../helpers/effects/containerfile.js';
import type { Atom } from '../helpers/effects/model.js';
import { sedAtoms } from '../helpers/effects/shared.js';
import { loadUpstream, upstreamEffects } from '../helpers/effects/upstream.js';
import { GENERATED } from '../helpers/project.js';
import { reconcile } from './deliberate-differences.js';

const variant = loadUpstream().find((v) => v.id === '9/base')!;
const text = readFileSync(join(GENERATED, 'containerfiles/9/Containerfile.base'), 'utf8');

/** The differences between upstream 9/base and a (changed) Containerfile, deliberate ones aside. */
function differences(containerfile: string): string[] {
  const [u, ours] = [upstreamEffects(variant), containerfileEffects(containerfile)];
  reconcile(variant.id, u, ours);
  return compareEffects(u, ours);
}

/** The generated 9/base Containerfile with one edit; the edit must apply. */
function edited(from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`test bug: ${String(from)} not found in the 9/base Containerfile`);
  return out;
}

describe('the comparison notices', () => {
  it('nothing when nothing differs (the baseline for the cases below)', () => {
    expect(differences(text)).toEqual([]);
  });

  it('a missing package', () => {
    expect(differences(edited(/ {8}virt-what \\\n/, ''))).toEqual([
      'package set: missing virt-what; extra -',
      'install: packages missing from ours: virt-what',
    ]);
  });

  it('a missing dnf option', () => {
    const d = differences(edited('--setopt install_weak_deps=false --nodocs \\\n        almalinux-release', '--setopt install_weak_deps=false \\\n        almalinux-release'));
    expect(d).toEqual([expect.stringMatching(/^install: dnf options differ: upstream .*--nodocs.*; ours (?!.*--nodocs)/)]);
  });

  it('a missing clean all after the install', () => {
    expect(differences(edited(' && \\\n    dnf --installroot /mnt/sys-root clean all', ''))).toEqual(['clean all after install: upstream true; ours false']);
  });

  it('a different mode', () => {
    expect(differences(edited('chmod 0600 /mnt/sys-root/etc/.pwd.lock', 'chmod 0644 /mnt/sys-root/etc/.pwd.lock'))).toEqual([
      'step missing from ours: root chmod /etc/.pwd.lock 0600',
      'step only in ours: root chmod /etc/.pwd.lock 0644',
    ]);
  });

  it('a different file content, down to one byte', () => {
    const d = differences(edited("printf 'container\\n' >", "printf 'container' >"));
    expect(d).toEqual(['step missing from ours: root write /etc/dnf/vars/infra "container\\n"', 'step only in ours: root write /etc/dnf/vars/infra "container"']);
  });

  it('two steps on the same path in the wrong order', () => {
    const swapped = edited(
      'rm -rf /mnt/sys-root/etc/machine-id && \\\n    touch /mnt/sys-root/etc/machine-id /mnt/sys-root/etc/resolv.conf /mnt/sys-root/etc/hostname',
      'touch /mnt/sys-root/etc/machine-id /mnt/sys-root/etc/resolv.conf /mnt/sys-root/etc/hostname && \\\n    rm -rf /mnt/sys-root/etc/machine-id',
    );
    expect(differences(swapped)).toEqual(['order: `root remove /etc/machine-id` must come before `root touch /etc/machine-id`']);
  });

  it('a platform-conditional step that runs everywhere', () => {
    const unguarded = edited(/if \[ "\$TARGETPLATFORM" = linux\/386 \]; then \\\n {8}(sed [^\n]*); \\\n {4}fi/, '$1');
    const d = differences(unguarded);
    expect(d).toHaveLength(2);
    expect(d[0]).toMatch(/^step missing from ours: root replace \/etc\/yum\.repos\.d\/\*\.repo .* \[only on linux\/386\]$/);
    expect(d[1]).toMatch(/^step only in ours: root replace \/etc\/yum\.repos\.d\/\*\.repo (?!.*only on)/);
  });

  it('a changed systemd stage, CMD, ENV and STOPSIGNAL', () => {
    const changed = edited('        console-getty.service', '        console-getty.service \\\n        systemd-journald.service')
      .replace('CMD ["/bin/bash"]', 'STOPSIGNAL SIGKILL\nCMD ["/bin/sh"]')
      .replace('ENV LANG="C.utf8"', 'ENV LANG="C.UTF-8"');
    expect(differences(changed)).toEqual([
      'systemd stage only in ours: inside mask /etc/systemd/system/systemd-journald.service',
      'CMD: upstream ["/bin/bash"]; ours ["/bin/sh"]',
      'STOPSIGNAL: upstream undefined; ours SIGKILL',
      'ENV LANG: upstream "C.utf8"; ours "C.UTF-8"',
    ]);
  });
});

describe('the Containerfile reader refuses what it cannot vouch for', () => {
  it('an unknown command', () => {
    expect(() => containerfileEffects(edited('touch /mnt/sys-root/run/utmp', 'curl -o /mnt/sys-root/run/utmp https://example.org/'))).toThrow(/does not know: curl/);
  });

  it('commands joined with ; (a failure would go unnoticed)', () => {
    expect(() => containerfileEffects(edited('mkdir -p /mnt/sys-root/run/lock && \\', 'mkdir -p /mnt/sys-root/run/lock; \\'))).toThrow(/&& only/);
  });

  it('a path outside the image root', () => {
    expect(() => containerfileEffects(edited('touch /mnt/sys-root/run/utmp', 'touch /run/utmp'))).toThrow(/outside the image root/);
  });

  it('a different stage layout', () => {
    expect(() => containerfileEffects(edited('COPY --from=stage2 / /', 'COPY --from=system-build /mnt/sys-root/ /'))).toThrow(/final stage must copy/);
  });
});

describe('reading commands back', () => {
  it('printf formats decode to the bytes printf writes', () => {
    expect(printfOutput('%%_install_langs C.utf8\\n')).toBe('%_install_langs C.utf8\n');
    expect(printfOutput('a\\tb\\\\c\\033d\\0')).toBe('a\tb\\c\x1bd\0');
    expect(() => printfOutput('%s')).toThrow(/conversion/);
  });

  it('sed expressions read back as literal edits, in either delimiter style', () => {
    expect(sedAtoms('/etc/group-', ['/sgx/d'], '/')).toEqual(sedAtoms('/etc/group-', ['\\|sgx|d'], '/'));
    expect(sedAtoms('/x', ['s/repo\\.almalinux\\.org\\/almalinux/vault.almalinux.org/g'], '/')).toEqual(sedAtoms('/x', ['s|repo\\.almalinux\\.org/almalinux|vault.almalinux.org|g'], '/'));
    expect(() => sedAtoms('/x', ['s/a.b/c/g'], '/')).toThrow(/not literal/);
    expect(() => sedAtoms('/x', ['s/a/&&/g'], '/')).toThrow(/not literal/);
  });
});

describe('which steps must keep their order', () => {
  const atom = (kind: string, path: string, detail = ''): Atom => ({ scope: 'root', kind, path, detail });

  it('paths overlap when one contains the other, globs included', () => {
    expect(overlaps('root:/run/*', 'root:/run/lock')).toBe(true);
    expect(overlaps('root:/etc/machine-id', 'root:/etc/machine-id')).toBe(true);
    expect(overlaps('root:/var/log/dnf*', 'root:/var/log/hawkey.log')).toBe(false);
    expect(overlaps('root:/etc/machine-id', 'root:/etc/machine-id-old')).toBe(false);
    expect(overlaps('root:/etc/x', 'builder:/etc/x')).toBe(false);
  });

  it('removals commute with removals, but not with what creates the path', () => {
    expect(conflict(atom('remove', '/var/log/*'), atom('remove', '/var/log/dnf*'))).toBe(false);
    expect(conflict(atom('remove', '/run/*'), atom('mkdir', '/run/lock'))).toBe(true);
    expect(conflict(atom('touch', '/etc/.pwd.lock'), atom('chmod', '/etc/.pwd.lock', '0600'))).toBe(true);
  });

  it('accounts come before editing the account files, transactions before what follows them', () => {
    expect(conflict(atom('group', '', 'sgx gid=996'), atom('delete-lines', '/etc/group-', '"sgx"'))).toBe(true);
    expect(conflict(atom('install', '', '-y : git'), atom('tmpfiles', '/usr/lib/tmpfiles.d/x.conf'))).toBe(true);
    expect(conflict(atom('write', '/etc/locale.conf'), atom('write', '/etc/vconsole.conf'))).toBe(false);
  });
});

// The identity smoke test upstream runs on every platform of every image, as one check shared by
// `almac build` (an assertion of every build) and `almac publish` (before anything is pushed):
//   - /etc/almalinux-release names the image's release (`AlmaLinux release 9.8 …`);
//   - the architecture: `rpm -qf --queryformat %{ARCH} /etc/almalinux-release` is the platform's
//     base architecture (read with the host's rpm from the image's root), or, for an image without
//     an rpm database (micro), `uname -m` in a container of the image is what the platform reports.
//     linux/386 and linux/amd64/v2 run on x86_64 kernels: `uname -m` prints x86_64 there (386 has no
//     32-bit personality in the container; measured with podman 4.3 on Debian 12).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';

export interface IdentityProbe {
  /** The image's root (mounted). */
  root: string;
  /** Its rpm database directory inside the root (e.g. /var/lib/rpm), if it has one. */
  rpmDb: string | undefined;
  /** `rpm --root ROOT --dbpath DB -qf --queryformat %{ARCH} /etc/almalinux-release`. */
  rpmArch: () => Promise<string>;
  /** `uname -m` in a container of the image (under emulation for a foreign platform). */
  unameM: () => Promise<string>;
}

export interface IdentityResult {
  ok: boolean;
  /** What was found (ok) or what was wrong. */
  detail: string;
}

/** The release line an image of `spec` must carry. */
export function expectedRelease(spec: ImageSpec): RegExp {
  return spec.version === spec.release
    ? new RegExp(`AlmaLinux.* release ${spec.releasever.replace(/\./g, '\\.')}\\b`)
    : new RegExp(`AlmaLinux release ${spec.version.replace(/\./g, '\\.')}\\b`);
}

/** What `uname -m` may print in a container of `p` on its native kernel. */
export function acceptedUname(p: PlatformInfo): string[] {
  return p.name === 'linux/386' || p.name.startsWith('linux/amd64/') ? [...new Set(['x86_64', p.uname])] : [p.uname];
}

export async function checkIdentity(spec: ImageSpec, p: PlatformInfo, probe: IdentityProbe): Promise<IdentityResult> {
  const file = join(probe.root, 'etc', 'almalinux-release');
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const want = expectedRelease(spec);
  if (!want.test(text)) {
    return { ok: false, detail: text ? `/etc/almalinux-release reads ${JSON.stringify(text)}, expected ${want.source}` : '/etc/almalinux-release is missing or empty' };
  }
  if (probe.rpmDb) {
    const arch = (await probe.rpmArch()).trim();
    if (arch !== p.basearch) return { ok: false, detail: `${text}; almalinux-release is built for ${arch || '(nothing: rpm -qf found no owner)'}, expected ${p.basearch}` };
    return { ok: true, detail: `${text}; rpm arch ${arch}` };
  }
  const uname = (await probe.unameM()).trim();
  const ok = acceptedUname(p);
  if (!ok.includes(uname)) return { ok: false, detail: `${text}; uname -m prints ${uname || '(nothing)'}, expected ${ok.join(' or ')}` };
  return { ok: true, detail: `${text}; uname -m ${uname}` };
}

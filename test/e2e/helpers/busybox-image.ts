// A tiny image for engine tests: Debian's static busybox as /bin/busybox plus a few applet links.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, copyFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';

export const STATIC_BUSYBOX = '/bin/busybox';

/** Why a busybox image cannot be made here, or undefined. */
export function busyboxUnavailable(): string | undefined {
  if (!existsSync(STATIC_BUSYBOX)) return `${STATIC_BUSYBOX} not found (apt-get install busybox-static)`;
  try {
    execFileSync('ldd', [STATIC_BUSYBOX], { stdio: 'ignore' });
    return `${STATIC_BUSYBOX} is dynamically linked (need busybox-static)`;
  } catch {
    return undefined; // "not a dynamic executable" -> static
  }
}

/** Writes a rootfs tarball with busybox and returns its path. */
export async function makeBusyboxTar(dir: string): Promise<string> {
  const root = await mkdtemp(join(dir, 'bbroot-'));
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) await mkdir(join(root, d), { recursive: true });
  await copyFile(STATIC_BUSYBOX, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'cat', 'echo', 'sleep', 'ls', 'true', 'false', 'env', 'id']) await symlink('busybox', join(root, 'bin', a));
  const tar = join(dir, 'busybox-rootfs.tar');
  execFileSync('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
  await rm(root, { recursive: true, force: true });
  return tar;
}

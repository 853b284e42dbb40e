// One platform's root file system as a reproducible .tar.xz: the image's layers applied in order
// (whiteouts honoured) into a scratch directory, then archived with GNU tar and xz so that the same
// image always gives the same bytes:
//   - entries sorted by name (`--sort=name`), POSIX format without atime/ctime or pid-named headers;
//   - mtimes clamped to SOURCE_DATE_EPOCH (`--mtime=@E --clamp-mtime`): nothing is newer than the build;
//   - numeric owners (`--numeric-owner`), no user or group names;
//   - xattrs (file capabilities) kept;
//   - xz with fixed settings: preset 6, CRC64, one thread (xz's output depends on its thread count,
//     which must therefore not follow the machine's cores).
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { execChecked, onInterrupt } from '../runner/engine/exec.js';

export const TAR_CREATE_OPTIONS = [
  '--sort=name',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--clamp-mtime',
];
export const XZ_OPTIONS = ['--format=xz', '--check=crc64', '-6', '--threads=1'];

export class RootfsError extends Error {}

/** Deletes `rel` inside `root`, refusing to go through a symbolic link (a layer cannot reach outside). */
function removeInside(root: string, rel: string, contentsOnly: boolean): void {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..')) throw new RootfsError(`whiteout outside the root: ${rel}`);
  let cur = root;
  for (const p of parts.slice(0, contentsOnly ? parts.length : -1)) {
    cur = join(cur, p);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return; // nothing below to remove
    }
    if (!st.isDirectory()) return;
  }
  if (contentsOnly) {
    for (const e of readdirSync(cur)) rmSync(join(cur, e), { recursive: true, force: true });
  } else {
    rmSync(join(cur, parts[parts.length - 1]!), { recursive: true, force: true });
  }
}

async function applyLayer(root: string, layer: string): Promise<void> {
  const list = await execChecked(['tar', '-tf', layer], { maxCaptureBytes: 256 * 1024 * 1024 });
  for (const raw of list.stdout.split('\n')) {
    const name = raw.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const base = posix.basename(name);
    if (!base.startsWith('.wh.')) continue;
    if (raw.includes('\\')) throw new RootfsError(`cannot apply the whiteout \`${raw}\` (escaped name)`);
    const dir = posix.dirname(name);
    if (base === '.wh..wh..opq') removeInside(root, dir, true);
    else removeInside(root, dir === '.' ? base.slice(4) : `${dir}/${base.slice(4)}`, false);
  }
  await execChecked(['tar', '-x', '-f', layer, '-C', root, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '--exclude=.wh.*']);
}

/**
 * Writes `out` (.tar.xz) from the layers, bottom first. Needs root: the tree is materialised with
 * its real owners, modes and device nodes.
 */
export async function writeRootfsTarball(layers: string[], out: string, sourceDateEpoch: number, workDir: string = tmpdir()): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new RootfsError('writing root file system tarballs needs root (files keep their owners and device nodes); run as root, or inside `podman unshare`');
  }
  mkdirSync(workDir, { recursive: true });
  const scratch = mkdtempSync(join(workDir, 'almac-rootfs-'));
  const unregister = onInterrupt(() => rmSync(scratch, { recursive: true, force: true }));
  try {
    const root = join(scratch, 'root');
    mkdirSync(root, { mode: 0o755 });
    for (const l of layers) await applyLayer(root, l);
    const script = 'set -euo pipefail; out=$1 root=$2 epoch=$3 nxz=$4; shift 4; tar_opts=("${@:1:$#-nxz}"); xz_opts=("${@:$#-nxz+1}")\n' +
      'tar --create --file=- --directory="$root" --mtime="@$epoch" "${tar_opts[@]}" . | xz "${xz_opts[@]}" -c > "$out.tmp"\nmv "$out.tmp" "$out"';
    await execChecked(['bash', '-c', script, 'almac-rootfs', out, root, String(sourceDateEpoch), String(XZ_OPTIONS.length), ...TAR_CREATE_OPTIONS, ...XZ_OPTIONS]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    unregister();
  }
}

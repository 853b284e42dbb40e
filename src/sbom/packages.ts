// Package lists for SBOMs: from an image root's rpm database, read with the host's rpm (Debian's
// rpm 4.18 reads the sqlite databases of 9 and 10 and the BDB database of 8), or from a list of
// NEVRA lines for images that have no rpm database (micro).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PackageRecord } from './cyclonedx.js';

const run = promisify(execFile);
const QF = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{LICENSE}\\n';

export async function packagesFromRpmDb(root: string): Promise<PackageRecord[]> {
  const { stdout } = await run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', QF], { maxBuffer: 64 << 20 });
  return parseQueryLines(stdout).filter((p) => p.name !== 'gpg-pubkey');
}

export function parseQueryLines(text: string): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [name, epoch, version, release, arch, license] = line.split('\t');
    if (!name || !version || !release || !arch) throw new Error(`unexpected rpm query line: ${JSON.stringify(line)}`);
    out.push({ name, epoch: Number(epoch) || undefined, version, release, arch, ...(license && license !== '(none)' ? { license } : {}) });
  }
  return out;
}

/** `name-[epoch:]version-release.arch` lines, as in a build manifest or a lock's package list. */
export function packagesFromNevraLines(text: string): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(.+)-(?:([0-9]+):)?([^-:]+)-([^-]+)\.([A-Za-z0-9_]+)$/.exec(line);
    if (!m) throw new Error(`not a NEVRA: ${JSON.stringify(line)}`);
    out.push({ name: m[1]!, epoch: m[2] ? Number(m[2]) : undefined, version: m[3]!, release: m[4]!, arch: m[5]! });
  }
  return out;
}

// `almac library`: from built multi-platform images to the Docker Official Images layout
//   OUT/<release>/<type>/<arch>/<library>-<release>-<type>-<arch>.tar.xz
//   OUT/<release>/<type>/<arch>/Dockerfile
//   OUT/library.json       what the layout holds (read back by `almac library commit`)
//   OUT/library/<library>  the bashbrew file, once the commits of the release branches are known
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec } from '../model/spec.js';
import { execChecked, onInterrupt } from '../runner/engine/process.js';
import { doiArchitecture } from './architectures.js';
import { renderDoiDockerfile } from './dockerfile.js';
import { planLibrary, tarballName, type LibraryEntryPlan } from './entries.js';
import { commitDirectoryToBranch, type BranchCommit } from './git-branches.js';
import { renderLibraryFile, type LibraryFile } from './library-file.js';
import { readPlatformImages } from './oci-layout.js';
import { writeRootfsTarball } from './rootfs-tarball.js';
import { validateLibraryFile } from './validate.js';
import { scratchDir } from '../util/scratch.js';

export class LibraryError extends Error {}

export interface LayoutManifest {
  comment: string;
  library: string;
  maintainers: string[];
  gitRepo: string;
  sourceDateEpoch: number;
  entries: { id: string; release: string; type: string; tags: string[]; architectures: string[]; directories: Record<string, string>; sources: Record<string, string> }[];
}

export interface ExportOptions {
  specs: ImageSpec[];
  selected: ImageSpec[];
  /** Where each image's multi-platform build is: `oci:DIR[:REF]` or any skopeo source, with {release}, {image}, {version}, {repository}. */
  from: string;
  out: string;
  sourceDateEpoch: number;
  /** YYYYMMDD for `{date}` (default: the date of sourceDateEpoch). */
  date?: string;
  platforms: string[];
  log?: (line: string) => void;
}

export function dateOf(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

function fillSource(t: string, s: ImageSpec): string {
  return t.replace(/\{release\}/g, s.release).replace(/\{image\}/g, s.image).replace(/\{version\}/g, s.version).replace(/\{repository\}/g, s.naming.repository);
}

/** `oci:DIR:REF` → DIR and REF (REF is what follows the last `:` after the last `/`). */
function splitOci(ref: string): { dir: string; tag?: string } {
  const rest = ref.slice('oci:'.length);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  return colon > slash ? { dir: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { dir: rest };
}

async function withLayout<T>(source: string, fn: (dir: string, tag: string | undefined) => Promise<T>): Promise<T> {
  if (source.startsWith('oci:')) {
    const { dir, tag } = splitOci(source);
    return fn(dir, tag);
  }
  const tmp = scratchDir('oci-');
  const unregister = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    const local = /^docker:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(source);
    await execChecked(['skopeo', 'copy', '--all', '--preserve-digests', ...(local ? ['--src-tls-verify=false'] : []), source, `oci:${tmp}:image`]);
    return await fn(tmp, 'image');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    unregister();
  }
}

export async function exportLibrary(o: ExportOptions): Promise<LayoutManifest> {
  const date = o.date ?? dateOf(o.sourceDateEpoch);
  const plan = planLibrary(o.specs, o.selected, date, o.platforms);
  if (plan.length === 0) throw new LibraryError('none of the selected images is in an official library (no `official-library { … }` block)');
  const names = [...new Set(plan.map((e) => e.library))];
  if (names.length > 1) throw new LibraryError(`the selected images belong to several libraries (${names.join(', ')}); select the images of one`);
  const head = plan[0]!.spec.officialLibrary!;
  const gitRepo = plan.map((e) => e.spec.officialLibrary!.gitRepo).find(Boolean);
  if (!gitRepo) throw new LibraryError(`library ${names[0]}: no image gives its \`git-repo\``);
  const maintainers = [...new Set(plan.flatMap((e) => e.spec.officialLibrary!.maintainers))];
  if (maintainers.length === 0) throw new LibraryError(`library ${names[0]}: no image names a \`maintainer\``);
  for (const e of plan) if (e.architectures.length === 0) throw new LibraryError(`${e.spec.id}: none of its platforms${o.platforms.length ? ` among ${o.platforms.join(', ')}` : ''} has a Docker Official Images architecture`);

  mkdirSync(o.out, { recursive: true });
  const manifest: LayoutManifest = {
    comment: 'Written by `almac library`; read by `almac library commit`. Do not edit.',
    library: head.library,
    maintainers,
    gitRepo,
    sourceDateEpoch: o.sourceDateEpoch,
    entries: [],
  };
  for (const e of plan) manifest.entries.push(await exportEntry(o, e));
  writeFileSync(join(o.out, 'library.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function exportEntry(o: ExportOptions, e: LibraryEntryPlan): Promise<LayoutManifest['entries'][number]> {
  const source = fillSource(o.from, e.spec);
  return withLayout(source, async (dir, tag) => {
    const images = readPlatformImages(dir, tag);
    const directories: Record<string, string> = {};
    const sources: Record<string, string> = {};
    for (const { arch, platform } of e.architectures) {
      const matching = images.filter((i) => doiArchitecture(i.platform) === arch);
      if (matching.length !== 1) {
        const have = images.map((i) => [i.platform.os, i.platform.architecture, i.platform.variant].filter(Boolean).join('/')).join(', ');
        throw new LibraryError(`${e.spec.id}: ${source} has ${matching.length ? 'several images' : 'no image'} for ${platform} (DOI ${arch}); its manifest list holds ${have || 'nothing'}`);
      }
      const img = matching[0]!;
      const rel = `${e.type}/${arch}`;
      const target = join(o.out, e.spec.release, rel);
      mkdirSync(target, { recursive: true });
      const tarball = tarballName(e, arch);
      o.log?.(`${e.spec.id} ${arch}: ${img.layers.length} layer${img.layers.length === 1 ? '' : 's'} of ${img.manifestDigest.slice(0, 19)} → ${e.spec.release}/${rel}/${tarball}`);
      await writeRootfsTarball(img.layers, join(target, tarball), o.sourceDateEpoch);
      writeFileSync(join(target, 'Dockerfile'), renderDoiDockerfile(e.spec, tarball, e.tags));
      directories[arch] = `${rel}/`;
      sources[arch] = img.manifestDigest;
    }
    return { id: e.spec.id, release: e.spec.release, type: e.type, tags: e.tags, architectures: e.architectures.map((a) => a.arch), directories, sources };
  });
}

export function readLayoutManifest(out: string): LayoutManifest {
  const p = join(out, 'library.json');
  if (!existsSync(p)) throw new LibraryError(`${out} holds no layout written by \`almac library\` (no library.json)`);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as LayoutManifest;
  } catch (e) {
    throw new LibraryError(`cannot read ${p}: ${(e as Error).message}`);
  }
}

/** The library file for a layout, given each release branch's commit. Validated before it is returned. */
export function libraryFileFor(m: LayoutManifest, commits: Map<string, string>): string {
  const f: LibraryFile = {
    name: m.library,
    maintainers: m.maintainers,
    gitRepo: m.gitRepo,
    entries: m.entries.map((e) => ({
      tags: e.tags,
      gitFetch: `refs/heads/${e.release}`,
      gitCommit: commits.get(e.release) ?? '',
      directories: e.architectures.map((arch) => ({ arch, directory: e.directories[arch]! })),
    })),
  };
  const text = renderLibraryFile(f);
  const problems = validateLibraryFile(text);
  if (problems.length) throw new LibraryError(`the library file breaks bashbrew's rules:\n${problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}`);
  return text;
}

export function writeLibraryFile(out: string, m: LayoutManifest, commits: Map<string, string>): string {
  const text = libraryFileFor(m, commits);
  mkdirSync(join(out, 'library'), { recursive: true });
  writeFileSync(join(out, 'library', m.library), text);
  return text;
}

/** Commits every release directory of the layout to its branch in `repo`. */
export async function commitLayout(out: string, repo: string): Promise<{ manifest: LayoutManifest; commits: BranchCommit[] }> {
  const m = readLayoutManifest(out);
  const commits: BranchCommit[] = [];
  for (const release of [...new Set(m.entries.map((e) => e.release))]) {
    const entries = m.entries.filter((e) => e.release === release);
    const message = `${m.library} ${release}: ${entries.map((e) => `${e.type} (${e.tags.join(', ')})`).join('; ')}`;
    commits.push(await commitDirectoryToBranch(repo, join(out, release), release, message, m.sourceDateEpoch));
  }
  return { manifest: m, commits };
}

// generated/docker-bake.json: valid for bake, fresh, and consistent with generated/index.json and
// the Containerfiles it points at. With the buildx plugin installed, bake itself reads it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { BAKE_FILE, bakeTargetName } from '../../src/phases/4-render/bake.js';
import { compileProject } from '../../src/project.js';
import { GENERATED, REPO_ROOT } from '../helpers/project.js';
import { checkBakeFile } from './bake-schema.js';

interface Target {
  context: string;
  dockerfile: string;
  platforms: string[];
  tags: string[];
  args: Record<string, string>;
}
interface Bake {
  variable: Record<string, { default: string }>;
  group: Record<string, { targets: string[] }>;
  target: Record<string, Target>;
}
interface IndexImage {
  id: string;
  release: string;
  image: string;
  files: { containerfile: string };
  platforms: string[];
  repository: string;
  tags: string[];
}

const text = readFileSync(join(GENERATED, BAKE_FILE), 'utf8');
const bake = JSON.parse(text) as Bake;
const index = (JSON.parse(readFileSync(join(GENERATED, 'index.json'), 'utf8')) as { images: IndexImage[] }).images;

describe('generated/docker-bake.json', () => {
  it('is what the definitions generate today', () => {
    expect(compileProject(REPO_ROOT).outputs?.get(BAKE_FILE)).toBe(text);
  });

  it('uses only what the bake file format defines', () => {
    expect(checkBakeFile(bake)).toEqual([]);
  });

  it('would be caught by the format check if it were wrong', () => {
    const broken = structuredClone(bake) as unknown as { target: Record<string, Record<string, unknown>>; group: Record<string, { targets: string[] }>; extra: unknown };
    broken.target['9-minimal']!['platform'] = 'linux/amd64';
    broken.target['9-minimal']!['tags'] = 'almalinux/9-minimal:latest';
    broken.target['9-minimal']!['args'] = { SYSBASE: '${NOT_DECLARED}' };
    broken.group['release-9']!.targets.push('9-nothing');
    broken.extra = {};
    expect(checkBakeFile(broken)).toEqual([
      'extra: not a bake block type (group, target, variable, function)',
      'group.release-9: names 9-nothing, which is neither a target nor a group',
      'target.9-minimal.tags: wrong type',
      'target.9-minimal.platform: not an attribute bake knows',
      'target.9-minimal.args.SYSBASE: ${NOT_DECLARED} names no variable',
    ]);
  });

  it('has one target per image in index.json, with its platforms and tags', () => {
    expect(Object.keys(bake.target)).toEqual(index.map((i) => bakeTargetName(i.release, i.image)));
    for (const img of index) {
      const t = bake.target[bakeTargetName(img.release, img.image)]!;
      expect(t.platforms, img.id).toEqual(img.platforms);
      // Registry-less repository:tag; the build date comes from the DATE variable.
      expect(t.tags, img.id).toEqual(img.tags.map((tag) => `${img.repository}:${tag.replace('{date}', '${DATE}')}`));
    }
    expect(bake.variable['DATE']).toEqual({ default: 'undated' });
  });

  it('points every target at its generated Containerfile, which declares the build arguments it gets', () => {
    for (const img of index) {
      const t = bake.target[bakeTargetName(img.release, img.image)]!;
      // Bake resolves the context from where it runs (the project root), the Containerfile from the context.
      const path = join(REPO_ROOT, t.context, t.dockerfile);
      expect(path, img.id).toBe(join(GENERATED, img.files.containerfile));
      expect(existsSync(path), path).toBe(true);
      const declared = DockerfileParser.parse(readFileSync(path, 'utf8'))
        .getInitialARGs()
        .map((a) => a.getProperty()?.getName());
      expect(declared, img.id).toEqual(expect.arrayContaining(Object.keys(t.args)));
    }
  });

  it('defaults each release\'s SYSBASE to the builder the Containerfile names, overridable per release', () => {
    for (const img of index) {
      const t = bake.target[bakeTargetName(img.release, img.image)]!;
      const variable = /^\$\{(SYSBASE_\w+)\}$/.exec(t.args['SYSBASE']!)?.[1];
      expect(variable, img.id).toBe(`SYSBASE_${img.release.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`);
      const fromContainerfile = /^ARG SYSBASE=(.*)$/m.exec(readFileSync(join(GENERATED, img.files.containerfile), 'utf8'))?.[1];
      expect(bake.variable[variable!]!.default, img.id).toBe(fromContainerfile);
    }
  });

  it('groups targets by release and by image, and builds everything by default', () => {
    const releases = [...new Set(index.map((i) => i.release))];
    const images = [...new Set(index.map((i) => i.image))].sort();
    expect(Object.keys(bake.group)).toEqual(['default', ...releases.map((r) => `release-${r}`), ...images.map((i) => `image-${i}`)]);
    expect(bake.group['default']!.targets).toEqual(Object.keys(bake.target));
    for (const r of releases) expect(bake.group[`release-${r}`]!.targets).toEqual(index.filter((i) => i.release === r).map((i) => bakeTargetName(r, i.image)));
    for (const name of images) expect(bake.group[`image-${name}`]!.targets).toEqual(index.filter((i) => i.image === name).map((i) => bakeTargetName(i.release, name)));
  });
});

const buildx = spawnSync('docker', ['buildx', 'version'], { encoding: 'utf8' });
const haveBuildx = buildx.status === 0;

describe('docker buildx bake --print', () => {
  it.skipIf(!haveBuildx)(`reads the bake file (${haveBuildx ? buildx.stdout.trim() : 'skipped: the docker buildx plugin is not installed'})`, () => {
    const r = spawnSync('docker', ['buildx', 'bake', '--print', '-f', join('generated', BAKE_FILE), 'release-9'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, DATE: '20250102', SYSBASE_9: 'registry.example/almalinux:9' } });
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { target: Record<string, { tags: string[]; args: Record<string, string>; context: string }> };
    expect(Object.keys(printed.target).sort()).toEqual(index.filter((i) => i.release === '9').map((i) => `9-${i.image}`).sort());
    expect(printed.target['9-minimal']!.tags).toContain('almalinux/9-minimal:9.8-20250102');
    expect(printed.target['9-minimal']!.args['SYSBASE']).toBe('registry.example/almalinux:9');
  });
});

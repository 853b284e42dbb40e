// generated/docker-bake.json: every release × image as a `docker buildx bake` target.
//
// Layout:
// - target `<release>-<image>` (`9-minimal`), groups `release-<release>`, `image-<image>`, and
//   `default` (everything). Images get an `image-` prefix because one image is called `default`,
//   which would otherwise be bake's default group.
// - Bake resolves `context` against the directory it is run from, not the bake file's (unless the
//   opt-in BUILDX_BAKE_FILE_RELATIVE_PATHS is set), so paths are relative to the project root:
//   run `docker buildx bake -f generated/docker-bake.json` there. The context is the Containerfile's
//   own directory: the Containerfiles copy nothing from it, so it is kept small.
// - Tags are registry-less `repository:tag`. `{date}` becomes `${DATE}`, a bake variable (set
//   `DATE=20250101` in the environment; the default, "undated", keeps local builds valid).
// - The builder image is the `SYSBASE` build argument, its default from the definitions; the
//   variable `SYSBASE_<RELEASE>` (e.g. SYSBASE_10_KITTEN) overrides it for a whole release.
import type { ImageSpec } from '../../model/spec.js';

export const BAKE_FILE = 'docker-bake.json';
/** Where generated/ is, seen from the project root (where bake runs). */
const GENERATED_FROM_ROOT = 'generated';
const DATE_VARIABLE = 'DATE';
const DATE_DEFAULT = 'undated';

/** Bake names allow letters, digits, `_` and `-`. */
const bakeName = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

/** `9-minimal`: the bake target of one release × image (the CI workflow derives the same name). */
export function bakeTargetName(release: string, image: string): string {
  return bakeName(`${release}-${image}`);
}

const variableName = (...parts: string[]) => ['SYSBASE', ...parts].join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/**
 * Bake interpolates `${…}` and `%{…}` in every string; anything literal must be escaped. (Tested
 * first: a bake file has thousands of strings, and few hold a `{`.)
 */
const literal = (s: string) => (s.includes('{') ? s.replace(/[$%]\{/g, (m) => m[0] + m) : s);

function tagRef(repository: string, tag: string): string {
  const ref = literal(`${repository}:${tag}`);
  return ref.includes('{date}') ? ref.replace(/\{date\}/g, () => `\${${DATE_VARIABLE}}`) : ref;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function appendTo(m: Map<string, string[]>, key: string, name: string): void {
  const names = m.get(key);
  if (names) names.push(name);
  else m.set(key, [name]);
}

export function renderBake(specs: ImageSpec[]): string {
  const variables: Record<string, { default: string }> = { [DATE_VARIABLE]: { default: DATE_DEFAULT } };
  const targets: Record<string, unknown> = {};
  const releases = new Map<string, string[]>();
  const images = new Map<string, string[]>();
  const releaseVariables = new Map<string, string>();
  for (const s of specs) {
    const name = bakeTargetName(s.release, s.image);
    // One variable per release; an image whose builder differs from its release's gets its own.
    let sysbase = releaseVariables.get(s.release);
    if (sysbase === undefined) releaseVariables.set(s.release, (sysbase = variableName(s.release)));
    const builder = literal(s.builder);
    if (variables[sysbase] && variables[sysbase]!.default !== builder) sysbase = variableName(s.release, s.image);
    variables[sysbase] = { default: builder };
    const containerfile = s.outputs.containerfile;
    targets[name] = {
      context: `${GENERATED_FROM_ROOT}/${dirOf(containerfile)}`.replace(/\/$/, ''),
      dockerfile: containerfile.slice(containerfile.lastIndexOf('/') + 1),
      platforms: s.platforms.map((p) => p.name),
      tags: s.naming.tags.map((t) => tagRef(s.naming.repository, t)),
      args: { SYSBASE: `\${${sysbase}}` },
    };
    appendTo(releases, s.release, name);
    appendTo(images, s.image, name);
  }
  const group: Record<string, { targets: string[] }> = { default: { targets: Object.keys(targets) } };
  for (const [release, names] of releases) group[bakeName(`release-${release}`)] = { targets: names };
  for (const image of [...images.keys()].sort()) group[bakeName(`image-${image}`)] = { targets: images.get(image)! };
  return JSON.stringify({ variable: variables, group, target: targets }, null, 2) + '\n';
}

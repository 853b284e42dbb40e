// The renderer shares what images have in common (commands of shared operations, RUN blocks of
// shared fragments; see phases/4-render/commands.ts and containerfile.ts). What an image renders to
// must not depend on which images were rendered before it: each image rendered alone, by a fresh
// renderer, gives the bytes it gives in any order after all the others.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { compileSources, type Compilation } from '../../src/project.js';
import type { ImageSpec } from '../../src/model/spec.js';
import { definitionSources, readFiles, REPO_ROOT } from '../helpers/project.js';

type Renderer = typeof import('../../src/phases/4-render/render.js');

const freshRenderer = async (): Promise<Renderer> => {
  vi.resetModules();
  return import('../../src/phases/4-render/render.js');
};

const filesOf = (r: Renderer, s: ImageSpec) => [r.renderContainerfile(s), r.renderKickstart(s)];

/** Images that differ only in what the shared caches are keyed on: root, release, dnf options. */
const VARIANTS = `
fragment shared {
  post {
    write /etc/shared.conf "x=1\\n"
    when platform = linux/arm64 {
      remove /var/cache/arm
    }
    install [tzdata]
    upgrade
  }
}
image variant-a {
  releases [8, 9, 10]
  install [bash, dnf]
  use shared
}
image variant-b extends variant-a {
  weak-deps on
  docs on
}
image variant-c extends variant-a {
  package-manager none
  install [coreutils-single]
  omit dnf
}
`;

function compiled(sources: Map<string, string>): Compilation {
  const c = compileSources(REPO_ROOT, sources, { render: false });
  expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return c;
}

describe('shared rendering', () => {
  const projects: [string, () => Map<string, string>][] = [
    ['the definitions', definitionSources],
    ['the definitions with variants of one shared fragment', () => new Map([...definitionSources(), ['definitions/images/variants.alma', VARIANTS]])],
    ['the Rocky Linux definitions', () => new Map([...readFiles(join(REPO_ROOT, 'test', 'fixtures', 'distributions', 'rocky', 'definitions'))].map(([p, t]) => [`definitions/${p}`, t]))],
  ];
  for (const [name, sources] of projects) {
    it(`gives each image of ${name} the same files alone, in order and in reverse order`, async () => {
      const c = compiled(sources());
      expect(c.images.length).toBeGreaterThan(5);
      const inOrder = await freshRenderer();
      const forward = new Map(c.images.map((s) => [s.id, filesOf(inOrder, s)]));
      const reversed = await freshRenderer();
      for (const s of [...c.images].reverse()) expect(filesOf(reversed, s)).toEqual(forward.get(s.id));
      for (const s of c.images) expect(filesOf(await freshRenderer(), s)).toEqual(forward.get(s.id));
    });
  }
});

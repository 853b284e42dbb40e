// What the compiler reads: only regular *.alma files inside definitions/. References between
// definitions (`use`, `extends`) are names, never paths; symbolic links below definitions/ are not
// followed but reported (E102); file names that could break a line of a generated comment are
// reported (E103). See src/project-files.ts for the policy and why.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { tempDir } from '../helpers/project.js';

const SECRET = 'secret-outside-the-project';

const BASE = `platform linux/amd64 {
  basearch x86_64
}
release 9 {
  releasever 9
  builder quay.io/almalinuxorg/almalinux:9
  platforms [linux/amd64]
}
image probe {
  releases [9]
  install [dnf, bash]
}
`;

/** A project with the base definitions, and a directory outside it holding a definition file. */
function projectWithOutside(): { root: string; outside: string } {
  const root = tempDir();
  mkdirSync(join(root, 'definitions'));
  writeFileSync(join(root, 'definitions', 'base.alma'), BASE);
  const outside = tempDir();
  writeFileSync(join(outside, 'stolen.alma'), `fragment ${SECRET} {\n  install ${SECRET}\n}\n`);
  return { root, outside };
}

/** Everything a user or CI log could see of a compilation. */
function visible(root: string): string {
  const c = compileProject(root);
  return JSON.stringify([c.diagnostics, [...c.sources.values()], c.outputs ? [...c.outputs.values()] : null]);
}

describe('definitions cannot reach outside definitions/', () => {
  it('a symbolic link to a file outside is reported, not followed', () => {
    const { root, outside } = projectWithOutside();
    symlinkSync(join(outside, 'stolen.alma'), join(root, 'definitions', 'stolen.alma'));
    const c = compileProject(root);
    expect(c.diagnostics.map((d) => [d.code, d.span.file])).toContainEqual(['E102', 'definitions/stolen.alma']);
    expect(c.outputs).toBeUndefined();
    expect(visible(root)).not.toContain(SECRET);
  });

  it('a symbolic link to a directory outside is reported, and nothing in it is read', () => {
    const { root, outside } = projectWithOutside();
    symlinkSync(outside, join(root, 'definitions', 'more'));
    const c = compileProject(root);
    expect(c.diagnostics.map((d) => [d.code, d.span.file])).toContainEqual(['E102', 'definitions/more']);
    expect([...c.sources.keys()]).toEqual(['definitions/base.alma']);
    expect(visible(root)).not.toContain(SECRET);
  });

  it('a symbolic link inside definitions/ to another definition is reported too (one rule, no exceptions)', () => {
    const { root } = projectWithOutside();
    symlinkSync(join(root, 'definitions', 'base.alma'), join(root, 'definitions', 'alias.alma'));
    expect(compileProject(root).diagnostics.map((d) => d.code)).toContain('E102');
  });

  it('`use` and `extends` take names, not paths: a path names no declaration', () => {
    const { root, outside } = projectWithOutside();
    writeFileSync(join(root, 'definitions', 'refs.alma'), `image refs extends "${outside}/stolen.alma" {\n  use "../../${outside}/stolen.alma"\n}\n`);
    const c = compileProject(root);
    expect(c.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['E230', 'E231']));
    expect(visible(root)).not.toContain(SECRET);
  });

  it('only *.alma files are read: other files beside them are ignored', () => {
    const { root } = projectWithOutside();
    writeFileSync(join(root, 'definitions', 'notes.txt'), `image ${SECRET} {\n}\n`);
    writeFileSync(join(root, 'definitions', 'base.alma.orig'), `image ${SECRET} {\n}\n`);
    const c = compileProject(root);
    expect([...c.sources.keys()]).toEqual(['definitions/base.alma']);
    expect(c.outputs).toBeDefined();
  });

  it('definitions/ itself may be a symbolic link (a project laid out elsewhere)', () => {
    const root = tempDir();
    const real = tempDir();
    writeFileSync(join(real, 'base.alma'), BASE);
    symlinkSync(real, join(root, 'definitions'));
    const c = compileProject(root);
    expect(c.diagnostics).toEqual([]);
    expect([...c.sources.keys()]).toEqual(['definitions/base.alma']);
  });

  it.each([
    ['a newline', 'evil\nRUN reboot.alma'],
    ['a carriage return', 'evil\rx.alma'],
    ['a Unicode line separator', 'evil\u2028%end.alma'],
  ])('a file name with %s is reported and not read (names are written into generated comments)', (_, name) => {
    const { root } = projectWithOutside();
    writeFileSync(join(root, 'definitions', name), `image second {\n  releases [9]\n  install [dnf]\n}\n`);
    const c = compileProject(root);
    const e103 = c.diagnostics.find((d) => d.code === 'E103');
    expect(e103?.span.file).not.toMatch(/[\n\r\u2028]/);
    expect([...c.sources.keys()]).toEqual(['definitions/base.alma']);
    expect(c.outputs).toBeUndefined();
  });
});

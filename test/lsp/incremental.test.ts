// The language server's incremental compilation reports exactly what `almac check` reports for the
// same texts, after every kind of edit, while re-parsing only the changed file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import { readSources } from '../../src/project-files.js';
import { IncrementalCompiler, resolveImage } from '../../src/lsp/incremental.js';
import { REPO_ROOT } from '../helpers/paths.js';

const real = readSources(REPO_ROOT).sources;
const key = (ds: { code: string; span: { file: string; offset: number }; message: string }[]) => ds.map((d) => `${d.span.file}:${d.span.offset} ${d.code} ${d.message}`);

/** Edits that touch one file each: local mistakes, cross-file ones, declarations, whole-image checks. */
const EDITS: [string, string, string][] = [
  ['definitions/images/minimal.alma', 'package-manager microdnf', 'package-manger microdnf'],
  ['definitions/images/minimal.alma', 'use krb5-langs', 'use krb5-lang'],
  ['definitions/images/minimal.alma', 'install [', 'install [python3, '],
  ['definitions/images/minimal.alma', '  ubi minimal', '  ubi minimal\n  remove microdnf'],
  ['definitions/fragments/common.alma', 'fragment krb5-langs', 'fragment krb5-languages'],
  ['definitions/images/base.alma', 'image base', 'image basis'],
  ['definitions/images/init.alma', 'extends base', 'extends bas'],
  ['definitions/platforms-and-releases.alma', 'release 9 {', 'release 9x {'],
  ['definitions/images/micro.alma', 'releases [8, 9, 10, 10-kitten]', 'releases [8, 9, 11]'],
  ['definitions/images/micro.alma', 'image micro {', 'image micro {\n  }}'],
];

describe('incremental compilation', () => {
  it('starts with the diagnostics of a full compilation (none, for the real definitions)', () => {
    const c = new IncrementalCompiler();
    const s = c.update(real);
    expect(key(s.diagnostics)).toEqual(key(compileSources(REPO_ROOT, real, { render: false }).diagnostics));
    expect(s.work.reparsed.length).toBe(real.size);
  });

  it.each(EDITS)('after an edit of %s (%s → %s), equals a full compilation, re-parsing one file', (file, from, to) => {
    const c = new IncrementalCompiler();
    c.update(real);
    const edited = new Map(real);
    const text = real.get(file)!;
    expect(text).toContain(from);
    edited.set(file, text.replace(from, to));
    const s = c.update(edited);
    expect(s.work.reparsed).toEqual([file]);
    const full = compileSources(REPO_ROOT, edited, { render: false });
    expect(key(s.diagnostics)).toEqual(key(full.diagnostics));
    expect([...s.project.images.keys()].flatMap((n) => resolveImage(s.project, n)).map((i) => i.id).sort()).toEqual(full.images.map((i) => i.id).sort());
    // ...and undoing the edit returns to the clean state.
    const back = c.update(real);
    expect(key(back.diagnostics)).toEqual([]);
  });

  it('re-resolves only the images that depend on the edited file', () => {
    const c = new IncrementalCompiler();
    c.update(real);
    const edited = new Map(real);
    edited.set('definitions/images/micro.alma', real.get('definitions/images/micro.alma')!.replace('install [', 'install [bash, '));
    const s = c.update(edited);
    expect(s.work.fullResolve).toBe(false);
    expect(s.work.resolved).toBeLessThan(s.project.images.size);
    const resolvedMicro = resolveImage(s.project, 'micro');
    expect(resolvedMicro.length).toBeGreaterThan(0);
    expect(resolvedMicro.every((i) => i.packages.install.includes('bash'))).toBe(true);
    // An edit that declares releases re-resolves everything.
    const axes = new Map(edited);
    axes.set('definitions/platforms-and-releases.alma', real.get('definitions/platforms-and-releases.alma')! + '\n');
    expect(c.update(axes).work.fullResolve).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'definitions/images/micro.alma'), 'utf8')).toBe(real.get('definitions/images/micro.alma'));
  });
});

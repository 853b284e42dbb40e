// The command line itself: help for every verb, usage errors, and the machine-readable output of
// `print` and `list`, checked against the project's real definitions and generated files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { VERBS } from '../../src/cli/registry.js';
import { freshProject, GENERATED, readFilesBytes, runCli } from '../helpers/project.js';

const verbNames = VERBS.map((v) => v.command.split(' ')[0]!);
const upstream = JSON.parse(readFileSync(new URL('../fixtures/reference/upstream-variants.json', import.meta.url), 'utf8')) as {
  variants: { id: string; install: { packages: string[]; reinstall: { packages: string[] } | null } }[];
};

describe.concurrent('help', () => {
  it('has a verb list to test', ({ expect }) => {
    expect(verbNames).toEqual(expect.arrayContaining(['generate', 'check', 'print', 'list']));
  });

  it('almac --help lists every verb and exits 0', async ({ expect }) => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const v of verbNames) expect(r.stdout).toMatch(new RegExp(`^\\s+almac ${v}\\b`, 'm'));
  });

  for (const verb of verbNames) {
    it(`almac ${verb} --help exits 0 and describes ${verb}`, async ({ expect }) => {
      const r = await runCli([verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`almac ${verb}`);
      expect(r.stdout).toContain(VERBS.find((v) => v.command.startsWith(verb))!.describe);
      expect(r.stderr).toBe('');
    });
  }
});

describe.concurrent('usage errors exit 2 and run nothing', () => {
  it('an unknown verb', async ({ expect }) => {
    const r = await runCli(['generat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('almac --help');
    expect(r.stdout).toBe('');
  });

  it('no verb at all', async ({ expect }) => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Name a command');
  });

  it('an unknown option does not run the verb', async ({ expect }) => {
    const root = freshProject();
    const def = join(root, 'definitions', 'images', 'micro.alma');
    writeFileSync(def, readFileSync(def, 'utf8').replace('cmd ["/bin/sh"]', 'cmd ["/bin/bash"]'));
    const before = readFilesBytes(join(root, 'generated'));
    const r = await runCli(['generate', '--root', root, '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument');
    expect(r.stdout).toBe('');
    expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
  });

  it('print of an image that does not exist, with a suggestion', async ({ expect }) => {
    const r = await runCli(['print', '9/minimall']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no image matches `9/minimall`');
    expect(r.stderr).toContain('9/minimal');
  });
});

describe.concurrent('print and list', () => {
  it('print 9/minimal --json is the resolved image with the upstream package set', async ({ expect }) => {
    const r = await runCli(['print', '9/minimal', '--json']);
    expect(r.code).toBe(0);
    const spec = JSON.parse(r.stdout) as { id: string; packageManager: string; packages: { install: string[]; reinstall: string[] }; outputs: { containerfile: string } };
    const facts = upstream.variants.find((v) => v.id === '9/minimal')!;
    expect(spec.id).toBe('9/minimal');
    expect(spec.packageManager).toBe('microdnf');
    expect([...spec.packages.install].sort()).toEqual([...facts.install.packages].sort());
    expect(spec.packages.reinstall).toEqual(facts.install.reinstall!.packages);
    expect(spec.outputs.containerfile).toBe('containerfiles/9/Containerfile.minimal');
  });

  it('print without --json describes the image for people', async ({ expect }) => {
    const r = await runCli(['print', 'micro', '--release', '8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^8\/micro {2}\(almalinux\/8-micro; defined at definitions\/images\/micro\.alma:\d+\)/);
    expect(r.stdout).toContain('install (2): coreutils-single glibc-minimal-langpack');
  });

  it('list --json names every image × release and its files, which all exist in generated/', async ({ expect }) => {
    const r = await runCli(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; outputs: { containerfile: string; kickstart: string } }[];
    expect(rows.map((x) => x.id).sort()).toEqual(upstream.variants.map((v) => v.id).sort());
    const generated = readFilesBytes(GENERATED);
    for (const row of rows) {
      expect(generated.has(row.outputs.containerfile)).toBe(true);
      expect(generated.has(row.outputs.kickstart)).toBe(true);
    }
  });
});

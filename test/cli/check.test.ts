// `almac check` on temporary copies: every way generated/ can disagree with definitions/ fails
// the check and names the file; a clean tree passes. `check` never writes.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { freshProject, readFilesBytes, runCli } from '../helpers/project.js';

interface CheckJson {
  ok: boolean;
  added: string[];
  changed: string[];
  removed: string[];
}

describe.concurrent('almac check', () => {
  it('passes on a clean tree, in text and JSON', async ({ expect }) => {
    const root = freshProject();
    const text = await runCli(['check', '--root', root]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/generated\/ matches definitions\/ \(\d+ files\)/);
    const json = await runCli(['check', '--root', root, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, added: [], changed: [], removed: [] });
  });

  it('detects a stale file after a definition changed', async ({ expect }) => {
    const root = freshProject();
    const def = join(root, 'definitions', 'images', 'init.alma');
    writeFileSync(def, readFileSync(def, 'utf8').replace('stopsignal SIGRTMIN+3', 'stopsignal SIGTERM'));
    const before = readFilesBytes(join(root, 'generated'));

    const r = await runCli(['check', '--root', root]);

    expect(r.code).toBe(1);
    for (const rel of ['8', '9', '10', '10-kitten']) expect(r.stderr).toContain(`stale     generated/containerfiles/${rel}/Containerfile.init  (1 line added, 1 removed)`);
    expect(r.stderr).toContain('-STOPSIGNAL SIGRTMIN+3\n+STOPSIGNAL SIGTERM\n');
    expect(r.stderr).toContain('Run `almac generate`');
    expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
  });

  it('detects a hand edit of a generated file', async ({ expect }) => {
    const root = freshProject();
    appendFileSync(join(root, 'generated', 'kickstarts', 'almalinux-9-base.ks'), '# tweak\n');
    const r = await runCli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stale     generated/kickstarts/almalinux-9-base.ks  (1 line removed)');
    // A unified diff (jsdiff): the one appended line, not every later line by index.
    expect(r.stderr).toContain('--- generated/kickstarts/almalinux-9-base.ks\t(committed)\n+++ generated/kickstarts/almalinux-9-base.ks\t(from definitions)\n@@ ');
    expect(r.stderr.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-# tweak']);
    const json = await runCli(['check', '--root', root, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout) as CheckJson).toMatchObject({ ok: false, added: [], changed: ['kickstarts/almalinux-9-base.ks'], removed: [] });
  });

  it('detects an orphan and a missing file', async ({ expect }) => {
    const root = freshProject();
    writeFileSync(join(root, 'generated', 'containerfiles', '9', 'Containerfile.extra'), 'FROM scratch\n');
    rmSync(join(root, 'generated', 'containerfiles', '8', 'Containerfile.micro'));
    const r = await runCli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('orphan    generated/containerfiles/9/Containerfile.extra');
    expect(r.stderr).toContain('missing   generated/containerfiles/8/Containerfile.micro');
    const json = JSON.parse((await runCli(['check', '--root', root, '--json'])).stdout) as CheckJson;
    expect(json).toMatchObject({ ok: false, added: ['containerfiles/8/Containerfile.micro'], changed: [], removed: ['containerfiles/9/Containerfile.extra'] });
  });

  it('fails with the diagnostics when the definitions have errors', async ({ expect }) => {
    const root = freshProject();
    const def = join(root, 'definitions', 'images', 'micro.alma');
    writeFileSync(def, readFileSync(def, 'utf8').replace('mode 0644', 'mode 0944'));
    const r = await runCli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E311]');
    expect(r.stderr).toMatch(/--> definitions\/images\/micro\.alma:\d+:\d+/);
  });
});

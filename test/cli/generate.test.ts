// `almac generate` on a temporary copy of the project: all or nothing. With any error in the
// definitions, generated/ stays byte for byte as it was.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { copyProject, freshProject, readFilesBytes, runCli } from '../helpers/project.js';

/** Replaces `from` (which must occur) in a definition file of the copy. */
function editDefinition(root: string, file: string, from: string, to: string): void {
  const p = join(root, 'definitions', file);
  const text = readFileSync(p, 'utf8');
  if (!text.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} not in ${file}`);
  writeFileSync(p, text.replace(from, to));
}

const breakages: { what: string; file: string; from: string; to: string; code: string }[] = [
  { what: 'a syntax error', file: 'images/micro.alma', from: 'install [coreutils-single, glibc-minimal-langpack]', to: 'install [coreutils-single, glibc-minimal-langpack', code: 'E010' },
  { what: 'a package name with a shell metacharacter', file: 'images/micro.alma', from: 'glibc-minimal-langpack', to: '"glibc;reboot"', code: 'E320' },
  { what: 'a misspelt platform in a condition', file: 'fragments/common.alma', from: 'when platform = linux/386', to: 'when platform = linux/368', code: 'E302' },
  { what: 'a package both installed and removed', file: 'images/init.alma', from: 'install procps-ng', to: 'install procps-ng\n  remove procps-ng', code: 'E401' },
];

describe.concurrent('almac generate with errors in the definitions', () => {
  for (const b of breakages) {
    it(`leaves generated/ byte-identical after ${b.what} (${b.code})`, async ({ expect }) => {
      const root = copyProject();
      const before = readFilesBytes(join(root, 'generated'));
      editDefinition(root, b.file, b.from, b.to);

      const r = await runCli(['generate', '--root', root]);

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error[${b.code}]`);
      expect(r.stderr).toMatch(new RegExp(`--> definitions/${b.file.replace('.', '\\.')}:\\d+:\\d+`));
      expect(r.stderr).toContain('generated/ was left unchanged');
      expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
      // No half-written tree is left beside it either.
      expect(readdirSync(root).filter((e) => e.startsWith('generated')).sort()).toEqual(['generated']);
    });
  }

  it('reports errors as JSON with --json, still leaving generated/ alone', async ({ expect }) => {
    const root = copyProject();
    const before = readFilesBytes(join(root, 'generated'));
    editDefinition(root, 'images/micro.alma', 'glibc-minimal-langpack', '"glibc;reboot"');
    const r = await runCli(['generate', '--root', root, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; diagnostics: { code: string; file: string; line: number; column: number }[] };
    expect(out.ok).toBe(false);
    expect(out.diagnostics).toEqual([expect.objectContaining({ code: 'E320', file: 'definitions/images/micro.alma', line: 10 })]);
    expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
  });
});

describe.concurrent('almac generate on valid definitions', () => {
  it('rewrites exactly the files a definition change affects', async ({ expect }) => {
    const root = freshProject();
    const before = readFilesBytes(join(root, 'generated'));
    editDefinition(root, 'images/micro.alma', 'cmd ["/bin/sh"]', 'cmd ["/bin/bash"]');

    const r = await runCli(['generate', '--root', root]);

    expect(r.code).toBe(0);
    const after = readFilesBytes(join(root, 'generated'));
    const changed = [...after.keys()].filter((p) => !before.get(p)?.equals(after.get(p)!));
    expect(changed.sort()).toEqual(['8', '9', '10', '10-kitten'].map((rel) => `containerfiles/${rel}/Containerfile.micro`).sort());
    expect(r.stdout).toContain('changed  generated/containerfiles/9/Containerfile.micro');
    expect(after.get('containerfiles/9/Containerfile.micro')!.toString()).toContain('CMD ["/bin/bash"]');
    expect((await runCli(['check', '--root', root])).code).toBe(0);
  });

  it('removes orphans and restores deleted files', async ({ expect }) => {
    const root = freshProject();
    const before = readFilesBytes(join(root, 'generated'));
    writeFileSync(join(root, 'generated', 'containerfiles', '9', 'Containerfile.old'), 'FROM scratch\n');
    writeFileSync(join(root, 'generated', 'index.json'), '{}\n');

    expect(await runCli(['generate', '--root', root, '--quiet'])).toMatchObject({ code: 0, stdout: '' });
    expect(readFilesBytes(join(root, 'generated'))).toEqual(before);
  });
});

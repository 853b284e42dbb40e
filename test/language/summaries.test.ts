// What `generate` says it did: the images whose own files changed, not every image.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, runCli } from '../helpers/project.js';

describe('almac generate reports the images that changed', () => {
  it('names the changed images and files only', async () => {
    const root = copyProject();
    const def = join(root, 'definitions', 'images', 'init.alma');
    writeFileSync(def, readFileSync(def, 'utf8').replace('stopsignal SIGRTMIN+3', 'stopsignal SIGTERM'));
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Updated generated/ — 4 of 24 images changed: 8/init, 9/init, 10/init, 10-kitten/init\n' +
        ['10-kitten', '10', '8', '9'].map((rel) => `  changed  generated/containerfiles/${rel}/Containerfile.init\n`).join(''),
    );
    const json = JSON.parse((await runCli(['generate', '--root', root, '--json'])).stdout) as { changedImages: string[] };
    expect(json.changedImages).toEqual([]);
  });
});

describe('almac print (text)', () => {
  it('shows every config field and multi-line values in full', async () => {
    const root = copyProject();
    writeFileSync(
      join(root, 'definitions', 'images', 'app.alma'),
      'image app extends minimal {\n  releases [9]\n  config {\n    user app\n    workdir /srv/app\n    entrypoint ["/usr/bin/tini", "--"]\n    label org.example.team "platform"\n  }\n  post {\n    write /etc/motd """\n      line one\n      line two\n      line three\n      """\n  }\n}\n',
    );
    const r = await runCli(['print', '9/app', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of ['    ENTRYPOINT ["/usr/bin/tini","--"]', '    CMD ["/bin/bash"]', '    USER app', '    WORKDIR /srv/app', '    LABEL org.example.team="platform"']) expect(r.stdout).toContain(`${line}\n`);
    expect(r.stdout).toMatch(/write {14}\/etc\/motd content \| {3}\(app, definitions\/images\/app\.alma:10\)\n {8}line one\n {8}line two\n {8}line three\n/);
    expect(r.stdout).toContain('    package-absent python3   (definitions/images/minimal.alma:');
  });
});

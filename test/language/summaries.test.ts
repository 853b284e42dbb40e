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

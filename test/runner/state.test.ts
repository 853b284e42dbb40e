// The build directory's state file and lock; build selection; small formatting helpers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { formatSize } from '../../src/runner/build.js';
import { hardLimits } from '../../src/runner/engine/open.js';
import { candidateNames, findImage } from '../../src/runner/engine/parse.js';
import { selectImages, suggestSelector } from '../../src/select.js';
import { formatDuration } from '../../src/runner/progress.js';
import { stepFromBuildOutput } from '../../src/runner/routes/containerfile.js';
import { acquireLock, loadState, saveState } from '../../src/runner/state.js';
import { REPO_ROOT } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'almac-state-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('state file', () => {
  it('round-trips, and a damaged file means "build everything"', () => {
    const dir = join(tmp, 's');
    expect(loadState(dir)).toEqual({ version: 1, builds: {} });
    const s = loadState(dir);
    s.builds['9/minimal containerfile linux/amd64'] = { inputs: 'a', verify: 'b', imageId: 'c', localTag: 'd', tags: [], finishedAt: 'e', durationMs: 1, size: 2, packages: null, engine: 'podman' };
    saveState(dir, s);
    expect(loadState(dir)).toEqual(s);
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "builds"');
    expect(loadState(dir)).toEqual({ version: 1, builds: {} });
  });
});

describe('lock', () => {
  it('is exclusive, waits for a live holder and takes over from a dead one', async () => {
    const path = join(tmp, 'l', '.lock');
    const a = await acquireLock(path, () => {});
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    let waitedFor = 0;
    const b = acquireLock(path, (pid) => (waitedFor = pid));
    await new Promise((r) => setTimeout(r, 300));
    expect(waitedFor).toBe(process.pid);
    a.release();
    (await b).release();
    expect(existsSync(path)).toBe(false);
    // a lock left by a process that is gone
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(path, `${pid}\n`);
    const c = await acquireLock(path, () => {
      throw new Error('must not wait for a dead process');
    });
    c.release();
  });
});

describe('selectImages', () => {
  const images = compileProject(REPO_ROOT, { render: false }).images;
  const ids = (sel: string[]) => selectImages(images, sel).selected.map((s) => s.id);

  it('selects by release/image, image, release, or everything', () => {
    expect(ids(['9/minimal'])).toEqual(['9/minimal']);
    expect(ids(['minimal'])).toEqual(['8/minimal', '9/minimal', '10/minimal', '10-kitten/minimal']);
    expect(ids(['9'])).toEqual(['9/base', '9/default', '9/init', '9/micro', '9/minimal', '9/toolbox']);
    expect(ids([])).toHaveLength(24);
    // Overlapping selectors select each image once, in the definitions' order.
    expect(ids(['9/micro', '9', 'micro']).filter((i) => i === '9/micro')).toHaveLength(1);
  });

  it('reports selectors that match nothing, with a suggestion', () => {
    const r = selectImages(images, ['nope', '9/micro', '9/minmal']);
    expect(r.unknown).toEqual(['nope', '9/minmal']);
    expect(r.selected.map((s) => s.id)).toEqual(['9/micro']);
    expect(suggestSelector(images, '9/minmal')).toBe('did you mean `9/minimal`?');
  });
});

describe('engine helpers', () => {
  it('finds images by short name, qualified name or id', () => {
    const images = [
      { id: 'a'.repeat(64), names: ['localhost/almalinux/9-minimal:9'], size: 0 },
      { id: 'b'.repeat(64), names: ['quay.io/almalinuxorg/almalinux:9'], size: 0 },
      { id: 'c'.repeat(64), names: ['docker.io/library/busybox:latest'], size: 0 },
    ];
    expect(findImage(images, 'almalinux/9-minimal:9')?.id).toBe('a'.repeat(64));
    expect(findImage(images, 'quay.io/almalinuxorg/almalinux:9')?.id).toBe('b'.repeat(64));
    expect(findImage(images, 'busybox')?.id).toBe('c'.repeat(64));
    expect(findImage(images, 'sha256:' + 'b'.repeat(12))?.id).toBe('b'.repeat(64));
    expect(findImage(images, 'quay.io/almalinuxorg/almalinux:8')).toBeUndefined();
    expect(candidateNames('localhost/x')).toEqual(['localhost/x:latest']);
  });

  it('keeps container ulimits within what the host grants', () => {
    const limits = (files: string, procs: string): string =>
      `Limit                     Soft Limit           Hard Limit           Units\nMax processes             ${procs}                ${procs}                processes\nMax open files            ${files}                ${files}                files\n`;
    expect(hardLimits(limits('20000', '96365'))).toEqual({ nofile: 20000, nproc: 4096 });
    expect(hardLimits(limits('unlimited', '512'))).toEqual({ nofile: 65536, nproc: 512 });
  });

  it('reads build progress from podman/buildah output', () => {
    expect(stepFromBuildOutput('[1/3] STEP 3/11: RUN mkdir -p /mnt/sys-root &&     dnf install')).toBe('stage 1/3 step 3/11: RUN mkdir -p /mnt/sys-root && dnf install');
    expect(stepFromBuildOutput('STEP 2/4: COPY --from=system-build /mnt/sys-root/ /')).toBe('step 2/4: COPY --from=system-build /mnt/sys-root/ /');
    expect(stepFromBuildOutput('Installing: bash')).toBeUndefined();
  });

  it('formats sizes and durations for the summary', () => {
    expect([formatSize(999), formatSize(4_450_159), formatSize(252_665_875), formatSize(1_200_000_000)]).toEqual(['999 B', '4.5 MB', '253 MB', '1.2 GB']);
    expect([formatDuration(0), formatDuration(12_345), formatDuration(61_000)]).toEqual(['0.0s', '12.3s', '1m01s']);
  });
});

// `docker buildx bake --print` reads generated/docker-bake.json with the real buildx plugin: Debian's
// docker-buildx, or the next Debian release's, unpacked into .almac/tools by scripts/get-buildx.sh (no
// system-wide install). Needs no daemon. Skipped visibly only when no buildx plugin can be had.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from './build-env.js';

describe.skipIf(!existsSync('/usr/bin/docker'))(`docker buildx bake --print with the real plugin${existsSync('/usr/bin/docker') ? '' : ' (skipped: docker.io is not installed)'}`, () => {
  it('names every target with its Containerfile, platforms and tags', (ctx) => {
    const get = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'get-buildx.sh')], { encoding: 'utf8' });
    if (get.status !== 0) {
      console.warn(`SKIPPED: no docker buildx plugin can be had here: ${get.stderr.trim()}`);
      ctx.skip();
      return;
    }
    const config = mkdtempSync(join(tempDir('buildx-'), 'config-'));
    mkdirSync(join(config, 'cli-plugins'));
    symlinkSync(get.stdout.trim(), join(config, 'cli-plugins', 'docker-buildx'));
    try {
      const env = { ...(process.env as Record<string, string>), DOCKER_CONFIG: config, DATE: '20260102' };
      const version = spawnSync('/usr/bin/docker', ['buildx', 'version'], { env, encoding: 'utf8' });
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout).toMatch(/github\.com\/docker\/buildx \d+\.\d+/);
      const r = spawnSync('/usr/bin/docker', ['buildx', 'bake', '--print', '-f', 'generated/docker-bake.json'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as { target: Record<string, { context: string; dockerfile: string; platforms: string[]; tags: string[] }> };
      const file = JSON.parse(readFileSync(join(REPO_ROOT, 'generated', 'docker-bake.json'), 'utf8')) as { target: Record<string, { context: string; dockerfile: string; platforms: string[]; tags: string[] }> };
      expect(Object.keys(printed.target).sort()).toEqual(Object.keys(file.target).sort());
      expect(Object.keys(printed.target).length).toBe(24);
      for (const [name, t] of Object.entries(file.target)) {
        const p = printed.target[name]!;
        expect(p.context, name).toBe(t.context);
        expect(p.dockerfile, name).toBe(t.dockerfile);
        expect(existsSync(join(REPO_ROOT, p.context, p.dockerfile)), `${name}: ${p.context}/${p.dockerfile}`).toBe(true);
        expect(p.platforms, name).toEqual(t.platforms);
        expect(p.tags, name).toEqual(t.tags.map((x) => x.replace('${DATE}', '20260102')));
      }
      expect(printed.target['9-minimal']!.dockerfile).toBe('Containerfile.minimal');
      expect(printed.target['9-minimal']!.context).toBe('generated/containerfiles/9');
      expect(printed.target['9-minimal']!.tags).toContain('almalinux/9-minimal:9.8-20260102');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  }, 300_000);
});

// rpm version ordering, advisory filters, and the scheduled updates workflow.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advisoryPasses, findUpdates } from '../../src/outdated/compare.js';
import { compareEvr, rpmvercmp } from '../../src/outdated/evr.js';
import { DAILY_CRON, MONTHLY_CRON, OUTDATED_ARGS, OUTDATED_REPORT, REBUILD_JQ, UPDATES_WORKFLOW_COPY, UPDATES_WORKFLOW_FILE } from '../../src/phases/4-render/updates-workflow.js';
import { compileProject } from '../../src/project.js';
import { parseYamlSubset } from '../scaleout/yaml-subset.js';
import { GENERATED, REPO_ROOT } from '../helpers/project.js';

describe('rpmvercmp', () => {
  // Cases from rpm's own test suite (tests/rpmvercmp.at).
  const cases: [string, string, number][] = [
    ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0.1', '2.0', 1], ['2.0', '2.0.1', -1], ['5.5p1', '5.5p2', -1], ['5.5p10', '5.5p1', 1],
    ['10xyz', '10.1xyz', -1], ['xyz10', 'xyz10.1', -1], ['xyz.4', '8', -1], ['8', 'xyz.4', 1], ['1.0010', '1.9', 1], ['1.05', '1.5', 0],
    ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0~rc1~git123', '1.0~rc1', -1], ['1.0^', '1.0', 1], ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1', '1.01', -1], ['1.0^20160101', '1.0.1', -1], ['1.0~rc1^git1', '1.0~rc1', 1], ['2a', '2.0', -1], ['1.0', '1.0a', -1],
    ['6.0.rc1', '6.0', 1], ['a+', 'a_', 0],
  ];
  for (const [a, b, want] of cases) it(`${a} vs ${b}`, () => expect(Math.sign(rpmvercmp(a, b))).toBe(want));
  it('orders by epoch first', () => {
    expect(compareEvr({ epoch: 1, version: '1', release: '1' }, { epoch: 0, version: '9', release: '9' })).toBe(1);
    expect(Math.sign(compareEvr({ epoch: 0, version: '7.76.1', release: '31.el9' }, { epoch: 0, version: '7.76.1', release: '31.el9_4.1' }))).toBe(-1);
  });
});

describe('advisory filters', () => {
  it('--severity important means Important and Critical', () => {
    const f = { security: false, severity: 'important' as const };
    expect(['Low', 'Moderate', 'Important', 'Critical'].map((s) => advisoryPasses({ type: 'security', severity: s }, f))).toEqual([false, false, true, true]);
    expect(advisoryPasses({ type: 'bugfix', severity: null }, f)).toBe(false);
  });
  it('--security drops bug-fix and enhancement advisories', () => {
    expect(advisoryPasses({ type: 'bugfix' }, { security: true })).toBe(false);
    expect(advisoryPasses({ type: 'security', severity: 'Low' }, { security: true })).toBe(true);
  });
  it('counts an advisory only for versions after the installed one and up to the available one', () => {
    const installed = [{ name: 'bash', epoch: 0, version: '5.1.8', release: '9.el9', arch: 'x86_64' }];
    const repo = {
      id: 'r', url: '', packages: [{ name: 'bash', epoch: 0, version: '5.1.8', release: '10.el9', arch: 'x86_64' }],
      advisories: [
        { id: 'OLD', type: 'security', severity: 'Critical', packages: [{ name: 'bash', epoch: 0, version: '5.1.8', release: '9.el9', arch: 'x86_64' }] },
        { id: 'NOW', type: 'security', severity: 'Important', packages: [{ name: 'bash', epoch: 0, version: '5.1.8', release: '10.el9', arch: 'x86_64' }] },
        { id: 'LATER', type: 'security', severity: 'Critical', packages: [{ name: 'bash', epoch: 0, version: '5.1.8', release: '11.el9', arch: 'x86_64' }] },
      ],
    };
    const [u] = findUpdates(installed, [repo], { security: false, severity: 'critical' });
    expect(u!.advisories.map((a) => a.id)).toEqual(['NOW']);
    expect(u!.qualifies).toBe(false);
  });
});

describe('the scheduled updates workflow', () => {
  const text = readFileSync(join(GENERATED, UPDATES_WORKFLOW_FILE), 'utf8');
  type Step = { name?: string; uses?: string; run?: string; id?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> };
  type Job = { name: string; if?: string; needs?: string | string[]; permissions?: Record<string, string>; strategy?: { matrix: { include: string } }; steps: Step[]; outputs?: Record<string, string> };
  const workflow = parseYamlSubset(text) as { on: { schedule: { cron: string }[]; workflow_dispatch: unknown }; permissions: Record<string, string>; jobs: Record<string, Job> };
  const runs = (job: Job) => job.steps.map((s) => s.run ?? s.uses ?? '').join('\n');

  it('is what almac generates today, committed as .github/workflows/updates.yml byte for byte', () => {
    expect(compileProject(REPO_ROOT).outputs?.get(UPDATES_WORKFLOW_FILE)).toBe(text);
    expect(readFileSync(join(REPO_ROOT, UPDATES_WORKFLOW_COPY), 'utf8')).toBe(text);
  });

  it('is a valid GitHub workflow for @action-validator/core', async () => {
    const { validateWorkflow } = await import('@action-validator/core');
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('runs daily (almac outdated on the published images, Important and Critical) and monthly (everything), read-only by default', () => {
    expect(workflow.on.schedule).toEqual([{ cron: DAILY_CRON }, { cron: MONTHLY_CRON }]);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['outdated', 'build', 'publish']);
    const select = workflow.jobs['outdated']!.steps.find((s) => s.id === 'select')!;
    expect(select.run).toContain(`npx almac outdated ${OUTDATED_ARGS} --format markdown --json-file ${OUTDATED_REPORT} >> "$GITHUB_STEP_SUMMARY"`);
    expect(OUTDATED_ARGS).toBe('--published --severity important');
    expect(select.run).toContain(`if [ "$SCHEDULE" = "${MONTHLY_CRON}" ] || [ "$REBUILD" = all ]; then`);
    expect(select.run).toContain(`jq -c --slurpfile report ${OUTDATED_REPORT} '${REBUILD_JQ}' generated/index.json`);
    expect(workflow.jobs['outdated']!.outputs).toEqual({ include: '${{ steps.select.outputs.include }}' });
  });

  it('bakes, then builds, verifies and publishes exactly the selected images on every platform, from main, with the credentials as named secrets', () => {
    const { build, publish } = workflow.jobs as Record<string, Job>;
    expect(build!.needs).toBe('outdated');
    expect(build!.if).toBe("needs.outdated.outputs.include != '[]'");
    expect(build!.strategy!.matrix.include).toBe('${{ fromJSON(needs.outdated.outputs.include) }}');
    expect(runs(build!)).toContain('docker buildx bake -f generated/docker-bake.json "$TARGET"');
    expect(publish!.needs).toEqual(['outdated', 'build']);
    expect(publish!.if).toBe("needs.outdated.outputs.include != '[]' && github.ref == 'refs/heads/main'");
    expect(publish!.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(publish!.strategy!.matrix.include).toBe('${{ fromJSON(needs.outdated.outputs.include) }}');
    const r = runs(publish!);
    const order = ['npx almac build "$ID" --platform all', '--password-stdin docker.io', '--password-stdin quay.io', '--password-stdin ghcr.io', 'npx almac publish "$ID" --platform all --json > publish.json', '"$GITHUB_STEP_SUMMARY"', 'actions/upload-artifact@v4'];
    for (const [i, needle] of order.entries()) {
      expect(r).toContain(needle);
      if (i) expect(r.indexOf(order[i - 1]!)).toBeLessThan(r.indexOf(needle));
    }
    expect(r).not.toMatch(/--password[ =]|login [^\n]*-p /);
    const ids = publish!.steps.filter((s) => s.env?.['ID']).map((s) => s.env!['ID']);
    expect(ids).toEqual(['${{ matrix.id }}', '${{ matrix.id }}']);
    const login = publish!.steps.find((s) => s.run?.includes('podman login'))!;
    expect(login.env).toEqual({
      DOCKERHUB_USERNAME: '${{ secrets.DOCKERHUB_USERNAME }}', DOCKERHUB_TOKEN: '${{ secrets.DOCKERHUB_TOKEN }}',
      QUAY_USERNAME: '${{ secrets.QUAY_USERNAME }}', QUAY_TOKEN: '${{ secrets.QUAY_TOKEN }}',
      GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}', GHCR_USERNAME: '${{ github.actor }}',
    });
  });

  it('uses only expressions GitHub provides in that place', () => {
    const expressions = [...text.matchAll(/\$\{\{ (.*?) \}\}/g)].map((m) => m[1]!);
    for (const e of expressions) expect(e).toMatch(/^(github\.(event\.schedule|event\.inputs\.rebuild|workspace|actor)|secrets\.(DOCKERHUB_USERNAME|DOCKERHUB_TOKEN|QUAY_USERNAME|QUAY_TOKEN|GITHUB_TOKEN)|steps\.select\.outputs\.include|matrix\.(id|target)|fromJSON\(needs\.outdated\.outputs\.include\))$/);
  });

  const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  it.skipIf(python.status !== 0)('reads the same with a full YAML parser (PyYAML)', () => {
    const script = 'import json, sys, yaml\nd = yaml.safe_load(sys.stdin)\nd["on"] = d.pop(True)\njson.dump(d, sys.stdout)';
    const r = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(workflow);
  });

  const jq = spawnSync('jq', ['--version']);
  it.skipIf(jq.status !== 0)('restricts the build matrix to the images almac outdated lists', () => {
    const select = (rebuild: string[]) => {
      const report = join(mkdtempSync(join(tmpdir(), 'almac-rebuild-jq-')), OUTDATED_REPORT);
      writeFileSync(report, JSON.stringify({ ok: true, rebuild, images: [] }));
      const r = spawnSync('jq', ['-c', '--slurpfile', 'report', report, REBUILD_JQ, join(GENERATED, 'index.json')], { encoding: 'utf8' });
      rmSync(join(report, '..'), { recursive: true, force: true });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    expect(select(['9/base', '9/init', '10-kitten/minimal'])).toEqual([{ id: '9/base', target: '9-base' }, { id: '9/init', target: '9-init' }, { id: '10-kitten/minimal', target: '10-kitten-minimal' }]);
    expect(select([])).toEqual([]);
  });
});

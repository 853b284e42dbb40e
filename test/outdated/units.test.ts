// rpm version ordering, advisory filters, and the scheduled updates workflow.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advisoryPasses, findUpdates } from '../../src/outdated/compare.js';
import { compareEvr, rpmvercmp } from '../../src/outdated/evr.js';
import { DAILY_CRON, MONTHLY_CRON, REBUILD_JQ, UPDATES_WORKFLOW_COPY, UPDATES_WORKFLOW_FILE } from '../../src/phases/4-render/updates-workflow.js';
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
  it('is committed as .github/workflows/updates.yml, byte for byte', () => {
    expect(readFileSync(join(REPO_ROOT, UPDATES_WORKFLOW_COPY), 'utf8')).toBe(text);
  });
  it('runs daily (almac outdated, Important and Critical) and monthly (everything)', () => {
    expect(text).toContain(`- cron: "${DAILY_CRON}"`);
    expect(text).toContain(`- cron: "${MONTHLY_CRON}"`);
    expect(text).toContain('npx almac outdated --severity important --format markdown >> "$GITHUB_STEP_SUMMARY"');
    expect(text).toContain('npx almac outdated --severity important --format list > rebuild.txt');
    expect(text).toContain("if: needs.outdated.outputs.include != '[]'");
  });
  const jq = spawnSync('jq', ['--version']);
  it.skipIf(jq.status !== 0)('restricts the build matrix to the images almac outdated lists', () => {
    const r = spawnSync('jq', ['-c', '--arg', 'rebuild', '9/base\n9/init\n10-kitten/minimal\n', REBUILD_JQ.replace('$rebuild', '$rebuild'), join(GENERATED, 'index.json')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ id: '9/base', target: '9-base' }, { id: '9/init', target: '9-init' }, { id: '10-kitten/minimal', target: '10-kitten-minimal' }]);
    const none = spawnSync('jq', ['-c', '--arg', 'rebuild', '', REBUILD_JQ, join(GENERATED, 'index.json')], { encoding: 'utf8' });
    expect(none.stdout.trim()).toBe('[]');
  });
});

// generated/github-workflow.yml and its committed copy .github/workflows/images.yml: parseable,
// shaped as GitHub Actions expects, and building exactly the bake targets of generated/index.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAKE_FILE } from '../../src/phases/4-render/bake.js';
import { MATRIX_JQ, WORKFLOW_COPY, WORKFLOW_FILE } from '../../src/phases/4-render/workflow.js';
import { compileProject } from '../../src/project.js';
import { GENERATED, REPO_ROOT } from '../helpers/project.js';
import { parseYamlSubset, type Yaml } from './yaml-subset.js';

const text = readFileSync(join(GENERATED, WORKFLOW_FILE), 'utf8');
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, Yaml>; env?: Record<string, string>; id?: string };
type Job = { name: string; if: string; 'runs-on': string; needs?: string; steps: Step[]; outputs?: Record<string, string>; strategy?: { matrix: { include: string } } };
const workflow = parseYamlSubset(text) as { name: string; on: Record<string, Yaml>; permissions: Record<string, string>; jobs: Record<string, Job> };
const bakeTargets = Object.keys((JSON.parse(readFileSync(join(GENERATED, BAKE_FILE), 'utf8')) as { target: object }).target);

describe('the GitHub Actions workflow', () => {
  it('is what almac generates today, and .github/workflows/images.yml is an exact copy', () => {
    expect(compileProject(REPO_ROOT).outputs?.get(WORKFLOW_FILE)).toBe(text);
    expect(readFileSync(join(REPO_ROOT, WORKFLOW_COPY), 'utf8')).toBe(text);
  });

  it('runs on pull requests, on pushes to main and by hand (schedules belong to the updates workflow), with read-only permissions by default', () => {
    expect(workflow.name).toBe('images');
    expect(workflow.on).toEqual({ pull_request: null, push: { branches: ['main'] }, workflow_dispatch: null });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['verify', 'matrix', 'build', 'publish']);
  });

  it('publishes from main: builds every platform, logs in through the auth file, runs almac publish, uploads SBOMs', () => {
    const publish = workflow.jobs['publish']!;
    expect(publish.if).toBe("github.event_name != 'pull_request' && github.ref == 'refs/heads/main'");
    const runs = publish.steps.map((s) => s.run ?? s.uses ?? '').join('\n');
    expect(runs).toContain('npx almac build "$ID" --platform all');
    expect(runs).toContain('npx almac publish "$ID" --platform all --json');
    expect(runs).toContain('--password-stdin');
    expect(runs).not.toMatch(/--password[ =]|login [^\n]*-p /); // secrets never on a command line
    expect(runs).toContain('actions/upload-artifact@v4');
    expect(runs.indexOf('almac build')).toBeLessThan(runs.indexOf('almac publish'));
  });

  it('is a valid GitHub workflow for @action-validator/core', async () => {
    const { validateWorkflow } = await import('@action-validator/core');
    expect(validateWorkflow(text).errors).toEqual([]);
    const broken = validateWorkflow(text.replace('runs-on: ubuntu-24.04', 'runs-onn: ubuntu-24.04'));
    expect(broken.errors.length).toBeGreaterThan(0);
  });

  it('checks formatting, freshness of generated/ and the workflow copy on pull requests', () => {
    const verify = workflow.jobs['verify']!;
    expect(verify.if).toBe("github.event_name == 'pull_request'");
    const runs = verify.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm run build', 'npx almac fmt --check', 'npx almac check', `cmp generated/${WORKFLOW_FILE} ${WORKFLOW_COPY}`]));
    // The build comes before the commands that need it.
    expect(runs.indexOf('npm run build')).toBeLessThan(runs.indexOf('npx almac fmt --check'));
  });

  it('builds one matrix entry per bake target, read from generated/index.json', () => {
    const matrix = workflow.jobs['matrix']!;
    const build = workflow.jobs['build']!;
    expect(matrix.if).toBe("github.event_name != 'pull_request'");
    const read = matrix.steps.find((s) => s.id === 'read')!;
    expect(read.run).toBe(`echo "include=$(jq -c '${MATRIX_JQ}' generated/index.json)" >> "$GITHUB_OUTPUT"\n`);
    expect(matrix.outputs).toEqual({ include: '${{ steps.read.outputs.include }}' });
    expect(build.needs).toBe('matrix');
    expect(build.strategy!.matrix.include).toBe('${{ fromJSON(needs.matrix.outputs.include) }}');
    const bake = build.steps[build.steps.length - 1]!;
    expect(bake.env).toEqual({ TARGET: '${{ matrix.target }}' });
    expect(bake.run).toContain(`docker buildx bake -f generated/${BAKE_FILE} "$TARGET"`);
    expect(bake.run).toContain('export DATE="$(date -u +%Y%m%d)"');
  });

  it('gives every step either an action pinned to a major version or a command', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job['runs-on'], name).toMatch(/^ubuntu-\d+\.\d+$/);
      for (const step of job.steps) {
        expect([step.uses, step.run].filter((x) => x !== undefined), `${name}: ${JSON.stringify(step)}`).toHaveLength(1);
        if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
      }
    }
  });

  it('uses only expressions GitHub provides in that place', () => {
    const expressions = [...text.matchAll(/\$\{\{ (.*?) \}\}/g)].map((m) => m[1]!);
    expect(expressions.length).toBeGreaterThan(0);
    for (const e of expressions) expect(e).toMatch(/^(github\.(ref|base_ref|workspace|actor)|secrets\.(DOCKERHUB_USERNAME|DOCKERHUB_TOKEN|QUAY_USERNAME|QUAY_TOKEN|GITHUB_TOKEN)|steps\.read\.outputs\.include|matrix\.(id|target)|fromJSON\(needs\.matrix\.outputs\.include\))$/);
  });

  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  it.skipIf(jq.status !== 0)(`its jq program yields exactly the bake targets (${jq.status === 0 ? jq.stdout.trim() : 'skipped: jq is not installed'})`, () => {
    const r = spawnSync('jq', ['-c', MATRIX_JQ, join(GENERATED, 'index.json')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const include = JSON.parse(r.stdout) as { id: string; target: string }[];
    expect(include.map((i) => i.target)).toEqual(bakeTargets);
    expect(include.map((i) => i.id)).toEqual(bakeTargets.map((t) => t.replace(/^(.*)-([a-z]+)$/, '$1/$2')));
  });

  const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  it.skipIf(python.status !== 0)(`reads the same with a full YAML parser (${python.status === 0 ? 'PyYAML' : 'skipped: python3 with PyYAML is not installed'})`, () => {
    // YAML 1.1 (PyYAML) reads the key `on` as true; GitHub, like YAML 1.2, reads it as "on".
    const script = 'import json, sys, yaml\nd = yaml.safe_load(sys.stdin)\nd["on"] = d.pop(True)\njson.dump(d, sys.stdout)';
    const r = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(workflow);
  });
});

describe('the YAML subset parser', () => {
  it('rejects what it does not understand instead of guessing', () => {
    expect(() => parseYamlSubset('a:\n\tb: 1\n')).toThrow('tabs are not allowed');
    expect(() => parseYamlSubset('a: {b: 1}\n')).toThrow('not a plain scalar');
    expect(() => parseYamlSubset('a: 1\na: 2\n')).toThrow('duplicate key a');
    expect(() => parseYamlSubset('a: x: y\n')).toThrow('not a plain scalar');
    expect(() => parseYamlSubset('a:\n  b: 1\n c: 2\n')).toThrow('unexpected indentation');
  });
});

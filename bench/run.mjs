#!/usr/bin/env node
// `npm run bench`: how fast almac is, next to the cost of starting Node at all, measured in one run.
//
//   node bench/run.mjs [--runs N] [--images N] [--skip-synthetic] [--profile DIR] [--baseline DIR]
//
// Every command runs N times (default 10), the commands interleaved round-robin so that a change
// in machine load shifts them all alike; the table gives medians, ratios to the `node -e ""` floor
// measured in the same run, and the peak memory (max RSS, from /usr/bin/time). Commands are pinned
// to one CPU with `taskset -c 0` where available. Two projects: a copy of this repository's
// definitions, and a synthetic one of --images image definitions (default 10,000; see
// synthetic-tree.mjs). "Memo" runs are the usual case of a developer re-running check with nothing
// changed (output/clean-memo.ts answers); "cold" runs have no memo and compile everything, as CI
// does on a fresh clone. The phase table comes from compileProject's own timings (phase-probe.mjs).
// --baseline DIR adds the same commands run by another built almac (e.g. an older version unpacked
// with `git archive`), measured in the same rounds, for before/after comparisons.
// This is a measurement, not a test: it asserts nothing and never fails on speed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSyntheticProject } from './synthetic-tree.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    images: { type: 'string', default: '10000' },
    'skip-synthetic': { type: 'boolean', default: false },
    profile: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const runs = Number(values.runs);
const images = Number(values.images);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(images) || images < 1) {
  process.stderr.write('usage: node bench/run.mjs [--runs N] [--images N] [--skip-synthetic] [--profile DIR] [--baseline DIR]\n');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('dist/ is missing: run `npm run build` first\n');
  process.exit(3);
}

const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const PIN = has('taskset', ['-c', '0', 'true']) ? ['taskset', '-c', '0'] : [];
const TIME = has('/usr/bin/time', ['-f', '%M', 'true']) ? ['/usr/bin/time', '-f', 'maxrss=%M'] : [];

/** One timed run: wall milliseconds and max RSS (MB) of the command. */
function measure(argv, cwd) {
  const cmd = [...TIME, ...PIN, ...argv];
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  return { ms, rssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs each case `n` times, round-robin. A case is { name, argv, cwd, before? } where `before`
 * runs untimed ahead of every measurement (e.g. deleting the memo).
 */
function bench(cases, n) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let i = 0; i < n; i++) {
    for (const c of cases) {
      c.before?.();
      samples.get(c.name).push(measure(c.argv, c.cwd));
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, { ms: median(xs.map((x) => x.ms)), rssMB: Math.max(...xs.map((x) => x.rssMB)), n: xs.length }]));
}

function phases(root, n) {
  const probes = Array.from({ length: n }, () => {
    const r = spawnSync(process.execPath, [PROBE, root], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`phase probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  });
  const keys = ['load', 'read', 'parse', 'analyze', 'resolve', 'render', 'compare', 'total', 'maxRssMB'];
  return Object.fromEntries(keys.map((k) => [k, median(probes.map((p) => p[k]))]));
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMB = (mb) => (Number.isNaN(mb) ? 'n/a' : `${mb.toFixed(0)} MB`);
const node = (...args) => [process.execPath, ...args];

const work = mkdtempSync(join(tmpdir(), 'almac-bench-'));
// The commands run a private copy of this build, so that a rebuild of dist/ during the benchmark
// (by a test run, an editor) cannot change what is measured, nor invalidate the clean memo.
const INSTALL = join(work, 'almac');
for (const d of ['bin', 'dist', 'templates', 'bench']) cpSync(join(ROOT, d), join(INSTALL, d), { recursive: true });
cpSync(join(ROOT, 'package.json'), join(INSTALL, 'package.json'));
symlinkSync(join(ROOT, 'node_modules'), join(INSTALL, 'node_modules'));
const CLI = join(INSTALL, 'bin', 'almac.js');
const PROBE = join(INSTALL, 'bench', 'phase-probe.mjs');
const almac = (...args) => node(CLI, ...args);
const BASELINE_CLI = values.baseline ? join(values.baseline, 'bin', 'almac.js') : undefined;
if (BASELINE_CLI && !existsSync(BASELINE_CLI)) {
  process.stderr.write(`no almac at ${values.baseline} (expected bin/almac.js, built)\n`);
  process.exit(2);
}

const out = [];
const log = (s = '') => {
  out.push(s);
  process.stdout.write(`${s}\n`);
};
try {
  log(`# almac benchmark`);
  log();
  log(`Node ${process.version}, ${PIN.length ? 'pinned to CPU 0 (taskset)' : 'not pinned (no taskset)'}, ${runs} runs per command (medians), max RSS ${TIME.length ? 'from /usr/bin/time' : 'not measured (no /usr/bin/time)'}.`);
  log();

  // The real definitions, in a copy: generate once, so that the tree is clean and the memo written.
  const real = join(work, 'real');
  cpSync(join(ROOT, 'definitions'), join(real, 'definitions'), { recursive: true });
  measure(almac('generate', '-q', '--root', real), real);
  const memo = (root) => () => rmSync(join(root, '.almac', 'clean-memo.json'), { force: true });
  // The baseline works on its own copy, generated by itself (its output may differ).
  const realBaseline = join(work, 'real-baseline');
  if (BASELINE_CLI) {
    cpSync(join(ROOT, 'definitions'), join(realBaseline, 'definitions'), { recursive: true });
    measure(node(BASELINE_CLI, 'generate', '-q', '--root', realBaseline), realBaseline);
  }
  const realResults = bench(
    [
      { name: 'floor: node -e ""', argv: node('-e', '') },
      { name: 'almac check (memo)', argv: almac('check', '-q'), cwd: real },
      { name: 'almac generate, no-op (memo)', argv: almac('generate', '-q'), cwd: real },
      { name: 'almac check (cold: no memo)', argv: almac('check', '-q'), cwd: real, before: memo(real) },
      { name: 'almac generate, no-op (cold)', argv: almac('generate', '-q'), cwd: real, before: memo(real) },
      ...(BASELINE_CLI
        ? [
            { name: 'baseline: almac check', argv: node(BASELINE_CLI, 'check', '-q'), cwd: realBaseline },
            { name: 'baseline: almac generate, no-op', argv: node(BASELINE_CLI, 'generate', '-q'), cwd: realBaseline },
          ]
        : []),
    ],
    runs,
  );
  const floor = realResults.get('floor: node -e ""').ms;
  log(`## This repository's definitions`);
  log();
  log('| command | median | × floor | max RSS |');
  log('|---|---:|---:|---:|');
  for (const [name, r] of realResults) log(`| ${name} | ${fmtMs(r.ms)} | ${(r.ms / floor).toFixed(2)} | ${fmtMB(r.rssMB)} |`);
  log();
  const realCheck = realResults.get('almac check (memo)').ms / floor;
  log(`Goal: check within 1.5 × the floor: ${realCheck <= 1.5 ? 'met' : 'NOT met'} (${realCheck.toFixed(2)} ×; cold ${(realResults.get('almac check (cold: no memo)').ms / floor).toFixed(2)} ×).`);
  log();

  const realPhases = phases(real, runs);
  let synthPhases;
  if (!values['skip-synthetic']) {
    const synth = join(work, 'synthetic');
    const t0 = performance.now();
    const files = writeSyntheticProject(synth, images);
    const writeMs = performance.now() - t0;
    const gen = measure(almac('generate', '-q', '--root', synth), synth);
    const synthResults = bench(
      [
        { name: 'almac check (memo)', argv: almac('check', '-q'), cwd: synth },
        { name: 'almac check (cold: no memo)', argv: almac('check', '-q'), cwd: synth, before: memo(synth) },
      ],
      runs,
    );
    log(`## Synthetic project: ${images} image definitions (${files} files)`);
    log();
    log(`Writing the definitions took ${fmtMs(writeMs)}; the first \`almac generate\` ${fmtMs(gen.ms)} (max RSS ${fmtMB(gen.rssMB)}).`);
    log();
    log('| command | median | max RSS |');
    log('|---|---:|---:|');
    for (const [name, r] of synthResults) log(`| ${name} | ${fmtMs(r.ms)} | ${fmtMB(r.rssMB)} |`);
    log();
    const m = synthResults.get('almac check (memo)');
    const c = synthResults.get('almac check (cold: no memo)');
    log(`Goal: check under 2 s and 300 MB on one core: memo ${m.ms < 2000 && !(m.rssMB >= 300) ? 'met' : 'NOT met'} (${fmtMs(m.ms)}, ${fmtMB(m.rssMB)}); cold ${c.ms < 2000 && !(c.rssMB >= 300) ? 'met' : 'NOT met'} (${fmtMs(c.ms)}, ${fmtMB(c.rssMB)}).`);
    log();
    synthPhases = phases(synth, Math.min(runs, 3));
    if (values.profile) {
      memo(synth)();
      spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${values.profile}`, CLI, 'check', '-q'], { cwd: synth, stdio: 'ignore' });
      log(`CPU profile of a cold check of the synthetic project written to ${values.profile}/.`);
      log();
    }
  }

  log('## Where a cold check spends its time (compileProject timings, medians)');
  log();
  log(`| phase | this repository | ${synthPhases ? `synthetic (${images} images, ${Math.min(runs, 3)} runs)` : ''} |`);
  log('|---|---:|---:|');
  const rows = [
    ['load the compiler (module import)', 'load'],
    ['read definitions', 'read'],
    ['parse', 'parse'],
    ['analyze', 'analyze'],
    ['resolve', 'resolve'],
    ['render', 'render'],
    ['read generated/ and compare', 'compare'],
    ['total in process', 'total'],
  ];
  for (const [label, k] of rows) log(`| ${label} | ${fmtMs(realPhases[k])} | ${synthPhases ? fmtMs(synthPhases[k]) : ''} |`);
  log(`| peak memory of the process | ${fmtMB(realPhases.maxRssMB)} | ${synthPhases ? fmtMB(synthPhases.maxRssMB) : ''} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

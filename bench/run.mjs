#!/usr/bin/env node
// `npm run bench`: how fast almac is, next to the cost of starting Node at all, measured in one run.
//
//   node bench/run.mjs [--runs N] [--images N] [--fragment-mb N] [--skip-synthetic] [--profile DIR] [--baseline REV|DIR]
//
// Every command runs N times (default 10), the commands interleaved round-robin so that a change
// in machine load shifts them all alike; the table gives medians, ratios to the `node -e ""` floor
// measured in the same run, and the peak memory (max RSS, from /usr/bin/time); the real tree's goal
// line also gives the quartiles of the ratio taken round by round, which show the machine's noise.
// Commands are pinned to one CPU with `taskset -c 0` where available. Two projects: a copy of this repository's
// definitions, and a synthetic one of --images image definitions (default 10,000; see
// synthetic-tree.mjs). "Memo" runs are the usual case of a developer re-running check with nothing
// changed (output/clean-memo.ts answers); "cold" runs have no memo and compile everything, as CI
// does on a fresh clone. The phase table comes from compileProject's own timings (phase-probe.mjs).
// A third project holds --fragment-mb MB of fragments (default 10; see writeFragmentProject).
// --baseline REV|DIR adds the same commands run by another almac, measured in the same rounds, for
// before/after comparisons: DIR is a built almac; anything else is a git revision (e.g. HEAD~1),
// unpacked with `git archive` and built with this checkout's node_modules.
// The code cache (src/cli/launch.cts) is warm after a command's first run, as for any user; the
// "first run" case measures a cold check with an empty cache dir.
// CPU is user + system time of the command (getrusage, to the millisecond through bash's `time`;
// max RSS from /usr/bin/time); the real tree's commands are
// pinned to one CPU, the large projects may use two (taskset -c 0,1), as on CI.
// This is a measurement, not a test: it asserts nothing and never fails on speed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFragmentProject, writeSyntheticProject } from './synthetic-tree.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    images: { type: 'string', default: '10000' },
    'fragment-mb': { type: 'string', default: '10' },
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
const PIN2 = has('taskset', ['-c', '0,1', 'true']) ? ['taskset', '-c', '0,1'] : [];
const TIME = has('/usr/bin/time', ['-f', '%M', 'true']) ? ['/usr/bin/time', '-f', 'maxrss=%M cpu=%U+%S'] : [];
// CPU to the millisecond: /usr/bin/time prints it in hundredths of a second, a fifth to a quarter of the
// floor's ~40-50 ms; bash's `time` keyword prints the same getrusage figures with %3U/%3S. Its
// line comes after the command's own stderr and before /usr/bin/time's, which then gives only
// the max RSS (of the largest process, the command, not bash).
const BASH_TIME = has('bash', ['-c', 'time true']) ? ['bash', '-c', 'TIMEFORMAT="almac-bench-cpu=%3U+%3S"; time "$@"', 'bash'] : [];

/** One timed run: wall and CPU milliseconds and max RSS (MB) of the command. */
function measure(argv, cwd, pin = PIN) {
  const cmd = [...TIME, ...BASH_TIME, ...pin, ...argv];
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 4000)}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  // bash's line (milliseconds) when there is one, else /usr/bin/time's (hundredths).
  const cpu = /almac-bench-cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '') ?? /cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN, rssMB: rss ? Number(rss[1]) / 1024 : NaN };
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
      samples.get(c.name).push(measure(c.argv, c.cwd, c.pin));
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, { ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)), rssMB: Math.max(...xs.map((x) => x.rssMB)), n: xs.length, cpuByRound: xs.map((x) => x.cpuMs) }]));
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
// Timestamps are kept: bin/almac.js runs the bundle dist/almac.cjs only while the files it was
// built from have the sizes and times it recorded (src/cli/launch.cts).
for (const d of ['bin', 'dist', 'templates', 'bench']) cpSync(join(ROOT, d), join(INSTALL, d), { recursive: true, preserveTimestamps: true });
cpSync(join(ROOT, 'package.json'), join(INSTALL, 'package.json'));
symlinkSync(join(ROOT, 'node_modules'), join(INSTALL, 'node_modules'));
const CLI = join(INSTALL, 'bin', 'almac.js');
const PROBE = join(INSTALL, 'bench', 'phase-probe.mjs');
const almac = (...args) => node(CLI, ...args);
/** A built almac for --baseline: the directory given, or the git revision unpacked and built in work/. */
function baselineInstall(spec) {
  if (existsSync(join(spec, 'bin', 'almac.js'))) return spec;
  const dir = join(work, 'baseline');
  mkdirSync(dir);
  const archive = spawnSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', ROOT, spec, dir], { encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`--baseline ${spec}: neither a built almac nor a git revision (${archive.stderr.trim()})`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const step of [[join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], [join(dir, 'scripts', 'build-templates.mjs')], [join(dir, 'scripts', 'bundle.mjs')]]) {
    if (!existsSync(step[0])) continue;
    const r = spawnSync(process.execPath, step, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the baseline ${spec} failed: ${r.stdout}${r.stderr}`);
  }
  return dir;
}
const BASELINE_DIR = values.baseline ? baselineInstall(values.baseline) : undefined;
const BASELINE_CLI = BASELINE_DIR ? join(BASELINE_DIR, 'bin', 'almac.js') : undefined;
const baselineLabel = values.baseline ? (existsSync(join(values.baseline, 'bin', 'almac.js')) ? values.baseline : `${values.baseline} (${spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', values.baseline], { encoding: 'utf8' }).stdout.trim()})`) : '';

const out = [];
const log = (s = '') => {
  out.push(s);
  process.stdout.write(`${s}\n`);
};
try {
  log(`# almac benchmark`);
  log();
  log(`Node ${process.version}, ${PIN.length ? 'pinned to CPU 0 (taskset)' : 'not pinned (no taskset)'}, ${runs} runs per command (medians), CPU ${BASH_TIME.length ? "to the millisecond (bash's time)" : 'to 10 ms (/usr/bin/time)'}, max RSS ${TIME.length ? 'from /usr/bin/time' : 'not measured (no /usr/bin/time)'}.`);
  log();

  // The real definitions, in a copy: generate once, so that the tree is clean and the memo written.
  const real = join(work, 'real');
  cpSync(join(ROOT, 'definitions'), join(real, 'definitions'), { recursive: true });
  measure(almac('generate', '-q', '--root', real), real);
  const memo = (root) => () => rmSync(join(root, '.almac', 'clean-memo.json'), { force: true });
  // almac keeps V8's compiled code in the user's cache dir (src/cli/launch.cts), so every run after
  // the first is measured with it; "first run" cases start from an empty cache dir each time.
  const emptyCache = join(work, 'empty-cache');
  const firstRun = (root) => () => {
    memo(root)();
    rmSync(emptyCache, { recursive: true, force: true });
    mkdirSync(emptyCache);
  };
  const noCodeCache = (argv) => ['env', `XDG_CACHE_HOME=${emptyCache}`, ...argv];
  // The baseline works on its own copy, generated by itself (its output may differ).
  const realBaseline = join(work, 'real-baseline');
  if (BASELINE_CLI) {
    cpSync(join(ROOT, 'definitions'), join(realBaseline, 'definitions'), { recursive: true });
    measure(node(BASELINE_CLI, 'generate', '-q', '--root', realBaseline), realBaseline);
  }
  const B = (name) => `baseline: ${name}`;
  const realResults = bench(
    [
      { name: 'floor: node -e ""', argv: node('-e', '') },
      { name: 'almac check (memo)', argv: almac('check', '-q'), cwd: real },
      { name: 'almac generate, no-op (memo)', argv: almac('generate', '-q'), cwd: real },
      { name: 'almac check (cold: no memo)', argv: almac('check', '-q'), cwd: real, before: memo(real) },
      { name: 'almac generate, no-op (cold)', argv: almac('generate', '-q'), cwd: real, before: memo(real) },
      { name: 'almac check (cold, first run: no code cache)', argv: noCodeCache(almac('check', '-q')), cwd: real, before: firstRun(real) },
      ...(BASELINE_CLI
        ? [
            { name: B('almac check (memo)'), argv: node(BASELINE_CLI, 'check', '-q'), cwd: realBaseline },
            { name: B('almac check (cold: no memo)'), argv: node(BASELINE_CLI, 'check', '-q'), cwd: realBaseline, before: memo(realBaseline) },
          ]
        : []),
    ],
    runs,
  );
  const floor = realResults.get('floor: node -e ""');
  log(`## This repository's definitions${BASELINE_CLI ? ` (baseline: ${baselineLabel})` : ''}`);
  log();
  log('| command | median wall | × floor | median CPU | CPU × floor | max RSS |');
  log('|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of realResults) log(`| ${name} | ${fmtMs(r.ms)} | ${(r.ms / floor.ms).toFixed(2)} | ${fmtMs(r.cpuMs)} | ${(r.cpuMs / floor.cpuMs).toFixed(2)} | ${fmtMB(r.rssMB)} |`);
  log();
  const cold = realResults.get('almac check (cold: no memo)');
  // The ratio in each round (the cold check and the floor ran minutes apart at most): how much of
  // the judgement is the machine's noise. Quartiles of the per-round ratios.
  const perRound = cold.cpuByRound.map((c, i) => c / floor.cpuByRound[i]).sort((a, b) => a - b);
  const quartile = (q) => perRound[Math.min(perRound.length - 1, Math.round(q * (perRound.length - 1)))];
  log(
    `Goal: cold check at most 2.0 × the floor in CPU: ${cold.cpuMs / floor.cpuMs <= 2 ? 'met' : 'NOT met'} (${(cold.cpuMs / floor.cpuMs).toFixed(2)} ×; round by round, quartiles ${quartile(0.25).toFixed(2)}–${quartile(0.75).toFixed(2)} ×); memo check ${(realResults.get('almac check (memo)').cpuMs / floor.cpuMs).toFixed(2)} ×.`,
  );
  log();

  /** A large project measured cold (no memo), on up to 2 CPUs, next to the baseline. */
  const large = (title, dir, write, goal) => {
    const t0 = performance.now();
    const info = write(dir);
    const writeMs = performance.now() - t0;
    const gen = measure(almac('generate', '-q', '--root', dir), dir, PIN2);
    let baseDir;
    if (BASELINE_CLI) {
      baseDir = `${dir}-baseline`;
      cpSync(join(dir, 'definitions'), join(baseDir, 'definitions'), { recursive: true });
      measure(node(BASELINE_CLI, 'generate', '-q', '--root', baseDir), baseDir, PIN2);
    }
    const results = bench(
      [
        { name: 'almac check (memo)', argv: almac('check', '-q'), cwd: dir, pin: PIN2 },
        { name: 'almac check (cold: no memo)', argv: almac('check', '-q'), cwd: dir, before: memo(dir), pin: PIN2 },
        ...(baseDir
          ? [
              { name: B('almac check (memo)'), argv: node(BASELINE_CLI, 'check', '-q'), cwd: baseDir, pin: PIN2 },
              { name: B('almac check (cold: no memo)'), argv: node(BASELINE_CLI, 'check', '-q'), cwd: baseDir, before: memo(baseDir), pin: PIN2 },
            ]
          : []),
      ],
      Math.min(runs, 5),
    );
    log(`## ${title}`);
    log();
    log(`${info}; writing it took ${fmtMs(writeMs)}, the first \`almac generate\` ${fmtMs(gen.ms)} (CPU ${fmtMs(gen.cpuMs)}, max RSS ${fmtMB(gen.rssMB)}). ${PIN2.length ? 'Pinned to CPUs 0-1.' : ''}`);
    log();
    log('| command | median wall | median CPU | max RSS |');
    log('|---|---:|---:|---:|');
    for (const [name, r] of results) log(`| ${name} | ${fmtMs(r.ms)} | ${fmtMs(r.cpuMs)} | ${fmtMB(r.rssMB)} |`);
    log();
    const c = results.get('almac check (cold: no memo)');
    log(`Goal: cold check under ${fmtMs(goal.ms)} and ${goal.mb} MB: ${c.ms < goal.ms && !(c.rssMB >= goal.mb) ? 'met' : 'NOT met'} (${fmtMs(c.ms)}, ${fmtMB(c.rssMB)}).`);
    log();
  };

  const realPhases = phases(real, runs);
  let synthPhases;
  if (!values['skip-synthetic']) {
    const synth = join(work, 'synthetic');
    large(`Synthetic project: ${images} image definitions`, synth, (d) => `${writeSyntheticProject(d, images)} files`, { ms: 2000, mb: 300 });
    const fragmentMB = Number(values['fragment-mb']);
    large(`${fragmentMB} MB of fragments`, join(work, 'fragments'), (d) => {
      const r = writeFragmentProject(d, fragmentMB);
      return `${r.files} files, ${(r.bytes / 1024 / 1024).toFixed(1)} MB of fragments`;
    }, { ms: 3000, mb: 600 });
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
  // One column of figures per project measured (the synthetic one is absent under --skip-synthetic).
  const columns = [{ title: 'this repository', phases: realPhases }];
  if (synthPhases) columns.push({ title: `synthetic (${images} images, ${Math.min(runs, 3)} runs)`, phases: synthPhases });
  const row = (label, cell) => log(`| ${label} | ${columns.map(({ phases }) => cell(phases)).join(' | ')} |`);
  log(`| phase | ${columns.map((c) => c.title).join(' | ')} |`);
  log(`|---|${columns.map(() => '---:').join('|')}|`);
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
  for (const [label, k] of rows) row(label, (phases) => fmtMs(phases[k]));
  row('peak memory of the process', (phases) => fmtMB(phases.maxRssMB));
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Kills `almac generate` at random moments and checks that generated/ is always wholly the old tree
// or wholly the new one: never a mix, never missing, and that the next run finishes the job.
//
//   node scripts/kill-generate.mjs [--trials N] [--seed S] [--mode cli|swap|both] [--json]
//
// Two kinds of trial (N of each):
//   cli   the real CLI (bin/almac.js, from dist/) on a temporary copy of the project whose
//         definitions changed (files change, appear and disappear), killed at a random moment of
//         its run; then `almac generate` must produce the new tree and `almac check` must pass.
//   swap  a process that does nothing but replace a tree back and forth between two versions
//         ("old" and "new" in the summary), so that kills land inside the writing and the swap,
//         where the CLI spends little of its time; then recover() must leave a whole tree and no
//         leftovers.
// Prints a summary (and, with --json, one JSON line last); exits 1 if any trial failed.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'almac.js');
const DIST = join(ROOT, 'dist');

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    seed: { type: 'string' },
    mode: { type: 'string', default: 'both' },
    json: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed) || !['cli', 'swap', 'both'].includes(values.mode)) {
  process.stderr.write('usage: node scripts/kill-generate.mjs [--trials N] [--seed S] [--mode cli|swap|both] [--json]\n');
  process.exit(2);
}

const { recover, replaceTree } = await import(pathToFileURL(join(DIST, 'output', 'generated-tree.js')).href);
const { digestFiles, digestTree } = await import(pathToFileURL(join(DIST, 'output', 'clean-memo.js')).href);
const { exchangeDirs } = await import(pathToFileURL(join(DIST, 'output', 'exchange-dirs.js')).href);

/** mulberry32: a small seeded generator, so a failing run can be repeated with --seed. */
function rng(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);

const leftoversOf = (target) => readdirSync(join(target, '..')).filter((n) => n.startsWith('generated.almac-'));

/**
 * "old", "new", "missing", or "mixed" (a tree that is neither), by the clean memo's digest of a
 * tree: every file's bytes, every entry that is not a file, and every wrong mode.
 */
function classify(target, oldDigest, newDigest) {
  if (!existsSync(target)) return 'missing';
  const d = digestTree(target);
  return d === oldDigest ? 'old' : d === newDigest ? 'new' : 'mixed';
}

function run(args, cwd) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** Can this machine exchange directories atomically? (If not, "missing" between renames is expected.) */
function exchangeWorksHere(base) {
  const a = join(base, 'probe-a');
  const b = join(base, 'probe-b');
  mkdirSync(a);
  mkdirSync(b);
  const ok = exchangeDirs(a, b);
  rmSync(a, { recursive: true });
  rmSync(b, { recursive: true });
  return ok;
}

const base = mkdtempSync(join(tmpdir(), 'almac-kill-'));
const atomic = exchangeWorksHere(base);
const results = { seed, atomic, cli: { trials: 0, old: 0, new: 0, missing: 0, mixed: 0, failures: [] }, swap: { trials: 0, old: 0, new: 0, missing: 0, mixed: 0, interrupted: 0, failures: [] } };

/** The project with changed definitions: every output changes, one image is added, one removed. */
function changeDefinitions(defs) {
  const files = [];
  const walk = (d) => readdirSync(d).sort().forEach((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : e.endsWith('.alma') && files.push(join(d, e))));
  walk(defs);
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  // Shifting every line moves the file:line each generated step comment points at.
  for (const [f, t] of texts) if (/^fragment /m.test(t)) writeFileSync(f, `\n${t}`);
  const images = [...texts].filter(([, t]) => /^image [a-z][a-z0-9-]*/m.test(t));
  const [firstFile, firstText] = images[0];
  writeFileSync(join(defs, 'kill-test-copy.alma'), firstText.replace(/^image ([a-z][a-z0-9-]*)/m, 'image $1-kill-test-copy'));
  const extended = new Set([...texts.values()].flatMap((t) => [...t.matchAll(/extends ([a-z][a-z0-9-, ]*)/g)].flatMap((m) => m[1].split(/[ ,]+/))));
  const removable = images.filter(([f, t]) => f !== firstFile && !extended.has(/^image ([a-z][a-z0-9-]*)/m.exec(t)[1]));
  if (removable.length) unlinkSync(removable[removable.length - 1][0]);
}

function fail(kind, message) {
  results[kind].failures.push(message);
  process.stdout.write(`  FAIL (${kind}): ${message}\n`);
}

async function killAfter(child, ms) {
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const r = await exited;
  clearTimeout(timer);
  return r;
}

async function cliTrials() {
  const oldDir = join(base, 'old');
  const newDir = join(base, 'new');
  const work = join(base, 'work');
  cpSync(join(ROOT, 'definitions'), join(oldDir, 'definitions'), { recursive: true });
  if (run(['generate', '-q', '--root', oldDir]).status !== 0) throw new Error('the project does not generate');
  cpSync(join(oldDir, 'definitions'), join(newDir, 'definitions'), { recursive: true });
  changeDefinitions(join(newDir, 'definitions'));
  if (run(['generate', '-q', '--root', newDir]).status !== 0) throw new Error('the changed project does not generate');
  const oldDigest = digestTree(join(oldDir, 'generated'));
  const newDigest = digestTree(join(newDir, 'generated'));
  const target = join(work, 'generated');
  const reset = () => {
    rmSync(work, { recursive: true, force: true });
    cpSync(join(newDir, 'definitions'), join(work, 'definitions'), { recursive: true });
    cpSync(join(oldDir, 'generated'), target, { recursive: true });
  };
  // How long a whole run takes here; kills are spread over that time and a little beyond.
  const durations = [];
  for (let i = 0; i < 3; i++) {
    reset();
    const t0 = performance.now();
    run(['generate', '-q', '--root', work]);
    durations.push(performance.now() - t0);
  }
  const span = durations.sort((a, b) => a - b)[1] * 1.25;
  for (let i = 0; i < trials; i++) {
    reset();
    const delay = random() * span;
    const child = spawn(process.execPath, [CLI, 'generate', '-q', '--root', work], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const exit = await killAfter(child, delay);
    const state = classify(target, oldDigest, newDigest);
    results.cli.trials++;
    results.cli[state]++;
    const at = `trial ${i}, killed after ${Math.round(delay)} ms (${exit.signal ?? `exit ${exit.code}`})`;
    if (state === 'mixed') fail('cli', `${at}: generated/ is neither the old nor the new tree`);
    if (state === 'missing' && atomic) fail('cli', `${at}: generated/ is missing`);
    const again = run(['generate', '-q', '--root', work]);
    if (again.status !== 0) fail('cli', `${at}: the next generate failed: ${again.stderr}`);
    else if (classify(target, oldDigest, newDigest) !== 'new') fail('cli', `${at}: the next generate did not produce the new tree`);
    const left = leftoversOf(target);
    if (left.length) fail('cli', `${at}: leftovers after the next generate: ${left.join(', ')}`);
    const check = run(['check', '-q', '--root', work]);
    if (check.status !== 0) fail('cli', `${at}: check fails after the next generate: ${check.stderr}`);
  }
}

async function swapTrials() {
  const dir = join(base, 'swap');
  const target = join(dir, 'generated');
  const a = new Map(Array.from({ length: 40 }, (_, i) => [`d${i % 4}/f${i}`, `A ${i}\n`.repeat(50)]));
  const b = new Map(Array.from({ length: 30 }, (_, i) => [`d${i % 3}/f${i}`, `B ${i}\n`.repeat(50)]));
  b.set('only-in-b', 'B\n');
  const [digestA, digestB] = [digestFiles(a), digestFiles(b)];
  const treeFile = join(base, 'trees.json');
  writeFileSync(treeFile, JSON.stringify([[...a], [...b]]));
  const loop = `
    const { replaceTree } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'output', 'generated-tree.js')).href)});
    const trees = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(treeFile)}, 'utf8')).map((t) => new Map(t));
    process.stdout.write('ready\\n');
    for (let i = 1; ; i++) replaceTree(${JSON.stringify(target)}, trees[i % 2]);`;
  for (let i = 0; i < trials; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    replaceTree(target, a);
    const child = spawn(process.execPath, ['--input-type=commonjs', '-e', `(async () => {${loop}})()`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const delay = random() * 400;
    await killAfter(child, delay);
    const state = classify(target, digestA, digestB);
    results.swap.trials++;
    results.swap[state]++;
    const at = `trial ${i}, killed ${Math.round(delay)} ms into the loop`;
    if (state === 'mixed') fail('swap', `${at}: the tree is neither version`);
    if (state === 'missing' && atomic) fail('swap', `${at}: the tree is missing`);
    if (leftoversOf(target).length) results.swap.interrupted++;
    recover(target);
    const after = classify(target, digestA, digestB);
    if (after !== 'old' && after !== 'new') fail('swap', `${at}: after recover() the tree is ${after}`);
    const left = leftoversOf(target);
    if (left.length) fail('swap', `${at}: leftovers after recover(): ${left.join(', ')}`);
  }
}

process.stdout.write(`kill-generate: seed ${seed}, ${trials} trials per mode, atomic exchange ${atomic ? 'available' : 'NOT available (two-rename fallback)'}\n`);
try {
  if (values.mode !== 'swap') await cliTrials();
  if (values.mode !== 'cli') await swapTrials();
} finally {
  rmSync(base, { recursive: true, force: true });
}
for (const kind of ['cli', 'swap']) {
  const r = results[kind];
  const interrupted = kind === 'swap' ? ` (${r.interrupted} killed while writing or swapping)` : '';
  if (r.trials) process.stdout.write(`${kind}: ${r.trials} trials — ${r.old} left the old tree, ${r.new} the new one, ${r.missing} none, ${r.mixed} a mix${interrupted}; ${r.failures.length} failures\n`);
}
const failures = results.cli.failures.length + results.swap.failures.length;
process.stdout.write(`kill-generate: ${failures} failures (seed ${seed})\n`);
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
process.exitCode = failures ? 1 : 0;

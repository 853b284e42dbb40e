#!/usr/bin/env node
// Long fuzzing run of the compiler (the built one, in dist/): `npm run fuzz -- [--runs N] [--seed S]`.
//
// Feeds generated projects, mutated copies of definitions/ and token soup to compileSources and
// checks the property in test/fuzz/property.mjs (never throws, never overflows the stack, finishes
// within the hang guard, every diagnostic's span inside its input, deterministic). Prints the seed
// first, so any failure can be replayed with --seed; exits 1 if anything failed.
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extremeArb, mutationArb, projectArb, tokenSoupArb } from '../test/fuzz/generators.mjs';
import { checkInput, describeSources } from '../test/fuzz/property.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    family: { type: 'string', default: 'all' },
  },
});
const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: node scripts/fuzz.mjs [--runs N] [--seed S] [--family projects|mutations|soup|extreme|all]\n');
  process.exit(2);
}

let compileSources;
try {
  ({ compileSources } = await import(join(ROOT, 'dist', 'project.js')));
} catch (e) {
  process.stderr.write(`cannot load the compiler from dist/ (run \`npm run build\` first): ${e.message}\n`);
  process.exit(3);
}

function realDefinitions() {
  const out = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.alma')) out.set(relative(ROOT, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(join(ROOT, 'definitions'));
  return out;
}

// The mutations compile the whole real tree, so they are the slow family; they get a smaller share.
const families = {
  projects: { arb: projectArb, share: 0.45 },
  soup: { arb: tokenSoupArb, share: 0.33 },
  mutations: { arb: mutationArb(realDefinitions()), share: 0.2 },
  extreme: { arb: extremeArb(), share: 0.02 },
};
const chosen = values.family === 'all' ? Object.keys(families) : [values.family];
if (!chosen.every((f) => f in families)) {
  process.stderr.write(`unknown --family ${values.family}\n`);
  process.exit(2);
}
const total = chosen.reduce((s, f) => s + families[f].share, 0);

process.stdout.write(`fuzz: seed ${seed}, ${runs} cases (${chosen.join(', ')})\n`);
let tried = 0;
let failures = 0;
const t0 = performance.now();
for (const [i, name] of chosen.entries()) {
  const n = Math.max(1, Math.round((runs * families[name].share) / total));
  const started = performance.now();
  let lastReport = started;
  const result = fc.check(
    fc.property(families[name].arb, (sources) => {
      tried++;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        process.stdout.write(`  … ${tried} cases tried\n`);
      }
      const problems = checkInput(compileSources, sources);
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    { numRuns: n, seed: seed + i, endOnFailure: false },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.failed) {
    failures++;
    process.stdout.write(`${name}: FAILED after ${result.numRuns} cases (seed ${seed + i}, path ${result.counterexamplePath}, ${seconds} s)\n`);
    process.stdout.write(`${result.errorInstance?.message ?? result.error}\n`);
    process.stdout.write(`smallest failing input:\n${describeSources(result.counterexample[0])}\n`);
  } else {
    process.stdout.write(`${name}: ${result.numRuns} cases, no failures (${seconds} s)\n`);
  }
}
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
process.stdout.write(`fuzz: ${tried} cases tried (including shrinking), ${failures} failing famil${failures === 1 ? 'y' : 'ies'}, seed ${seed}, ${seconds} s\n`);
process.exitCode = failures ? 1 : 0;

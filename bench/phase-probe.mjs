// Run in a fresh process by bench/run.mjs: where one `check` of a project spends its time, from
// loading the compiler to comparing with generated/. Prints one JSON object (milliseconds).
//   node bench/phase-probe.mjs PROJECT_ROOT
import { join } from 'node:path';

const root = process.argv[2];
const dist = new URL('../dist/', import.meta.url);
const t0 = performance.now();
const { compileProject } = await import(new URL('project.js', dist).href);
const { diffTrees, readTree } = await import(new URL('output/generated-tree.js', dist).href);
const load = performance.now() - t0;
const c = compileProject(root);
const t1 = performance.now();
const diff = diffTrees(readTree(join(root, 'generated')), c.outputs ?? new Map());
const compare = performance.now() - t1;
const { read = 0, parse = 0, analyze = 0, resolve = 0, render = 0 } = c.timings;
process.stdout.write(
  JSON.stringify({
    load,
    read,
    parse,
    analyze,
    resolve,
    render,
    compare,
    total: performance.now() - t0,
    clean: !diff.added.length && !diff.changed.length && !diff.removed.length,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);

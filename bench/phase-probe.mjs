// Run in a fresh process by bench/run.mjs: where one `check` of a project spends its time, from
// loading the compiler to comparing with generated/, the way `almac check` runs them (rendering
// and comparing interleave, file by file; each is timed on its own). Prints one JSON object (ms).
//   node bench/phase-probe.mjs PROJECT_ROOT
import { join } from 'node:path';

const root = process.argv[2];
const dist = new URL('../dist/', import.meta.url);
const t0 = performance.now();
const { compileProject, renderEach } = await import(new URL('project.js', dist).href);
const { TreeComparer } = await import(new URL('output/tree-compare.js', dist).href);
const { isLockPath } = await import(new URL('lock/lockfile.js', dist).href);
const load = performance.now() - t0;
// As `almac check` does it (cli/commands/generate.ts): each file is compared as it is rendered.
const c = compileProject(root, { render: false });
const t1 = performance.now();
const comparer = new TreeComparer(join(root, 'generated'), isLockPath);
renderEach(c.images, (path, text) => comparer.offer(path, text));
const { diff } = comparer.finish();
const compare = comparer.elapsedMs;
const render = performance.now() - t1 - compare;
const { read = 0, parse = 0, analyze = 0, resolve = 0 } = c.timings;
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

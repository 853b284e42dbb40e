// `almac lock [SELECTOR…]`: resolve each selected image's package set with the host's dnf and write
// generated/locks/<release>-<image>-<arch>.lock.json.
import { join } from 'node:path';
import { arch as hostArch } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseRepoOptions, RepoOptionError } from '../../runner/repos.js';
import { lockPath, renderLock } from '../../lock/lockfile.js';
import { ResolveError, resolvePackages, type RepoOverride } from '../../lock/resolve.js';
import { openRunScratch } from '../../util/scratch.js';
import { recover, replaceTree, withLock } from '../../output/generated-tree.js';
import { scanTree } from '../../output/tree-scan.js';
import { GENERATED_DIR } from '../../project.js';
import { EXIT, printJson } from '../io.js';
import { compileSelected } from '../compile-selected.js';

export function hostPlatform(): string {
  return { x64: 'linux/amd64', arm64: 'linux/arm64', ppc64: 'linux/ppc64le', s390x: 'linux/s390x', ia32: 'linux/386', riscv64: 'linux/riscv64' }[hostArch()] ?? 'linux/amd64';
}

/** `--repo NAME=URL|DIR`, in the grammar `almac build` uses (src/runner/repos.ts); a string is the error. */
export function parseRepoOverrides(values: string[], cwd: string = process.cwd()): RepoOverride[] | string {
  try {
    return parseRepoOptions(values, cwd).map((r) => ({ id: r.name, url: r.url ?? pathToFileURL(r.dir!).href + '/' }));
  } catch (e) {
    if (e instanceof RepoOptionError) return e.message;
    throw e;
  }
}

export function runLock(o: { root: string; json: boolean; selectors: string[]; platforms: string[]; repos: string[] }): number {
  const overrides = parseRepoOverrides(o.repos);
  if (typeof overrides === 'string') {
    process.stderr.write(`error: ${overrides}\n`);
    return EXIT.usage;
  }
  const picked = compileSelected(o.root, o.selectors, { json: o.json });
  if (typeof picked === 'number') return picked;
  const { compilation: c, selected } = picked;
  const wanted = o.platforms.length ? o.platforms : [hostPlatform()];
  const written: string[] = [];
  const cacheDir = join(o.root, '.almac', 'dnf-cache');
  const files = new Map<string, string>();
  const work = openRunScratch(join(o.root, '.almac', 'lock-work'));
  if (work.reaped && !o.json) process.stderr.write(`note: removed the work directories of ${work.reaped} interrupted earlier run${work.reaped === 1 ? '' : 's'} of almac lock\n`);
  try {
    for (const spec of selected) {
      for (const p of spec.platforms.filter((x) => wanted.includes(x.name))) {
        if (!o.json) process.stderr.write(`resolving ${spec.id} (${p.name})…\n`);
        const packages = resolvePackages(spec, p, overrides, cacheDir, work.make);
        const used = overrides.length ? overrides.map((r) => r.id) : spec.repositories.map((r) => r.id);
        files.set(lockPath(spec, p), renderLock(spec, p, packages, used));
      }
    }
  } catch (e) {
    if (e instanceof ResolveError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.environment;
    }
    throw e;
  } finally {
    work.dispose();
  }
  if (!files.size) {
    process.stderr.write(`error: none of the selected images is built for ${wanted.join(', ')}\n`);
    return EXIT.usage;
  }
  const target = join(o.root, GENERATED_DIR);
  const refused = withLock(join(o.root, '.almac', 'generate.lock'), () => {
    recover(target);
    // Every other file is written back byte for byte. An empty directory ("x/") is dropped, losing
    // nothing; any other entry that is not a file (a link, a FIFO, …) could not be written back.
    const tree = new Map<string, string | Uint8Array>();
    const { standIns } = scanTree(target, (p, bytes) => tree.set(p, bytes));
    const kept = [...standIns].filter(([p]) => !p.endsWith('/'));
    if (kept.length) return kept.map(([p, what]) => `  ${GENERATED_DIR}/${p}: ${what}`);
    for (const [p, t] of files) {
      const cur = tree.get(p);
      if (!(cur instanceof Uint8Array && Buffer.from(t, 'utf8').equals(cur))) written.push(p);
      tree.set(p, t);
    }
    if (written.length) replaceTree(target, tree);
    return undefined;
  });
  if (refused) {
    process.stderr.write(`error: ${GENERATED_DIR}/ holds entries that almac does not write, so the locks were not written:\n${refused.join('\n')}\n${GENERATED_DIR}/ was left as it was. Run \`almac generate\` (it removes them), then lock again.\n`);
    return EXIT.environment;
  }
  if (o.json) printJson({ ok: true, locks: [...files.keys()], changed: written });
  else process.stdout.write(written.length ? `Wrote ${written.map((p) => `${GENERATED_DIR}/${p}`).join(', ')}\n` : 'Locks are up to date.\n');
  return EXIT.ok;
}

// Vitest global setup: the CLI tests run bin/almac.js, which loads the compiled dist/. Rebuild it
// (tsc, templates and the bundle, as `npm run build`) when any source is newer, so the suite never
// tests a stale build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'))) return;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', REPO_ROOT], { encoding: 'utf8' });
  // tsc still emits when the sources have type errors (`npm run typecheck` reports those); only a
  // missing build makes the CLI tests meaningless.
  if (r.status !== 0 && !existsSync(built)) throw new Error(`tsc failed; the CLI tests need a build:\n${r.stdout}${r.stderr}`);
  if (r.status !== 0) process.stderr.write(`warning: tsc reported errors; testing the build it emitted:\n${r.stdout}`);
  // the rest of `npm run build`: without them bin/almac.js runs dist/'s modules, not the bundle users run
  for (const script of ['build-templates.mjs', 'bundle.mjs']) {
    const s = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', script)], { encoding: 'utf8' });
    if (s.status !== 0) throw new Error(`scripts/${script} failed:\n${s.stdout}${s.stderr}`);
  }
}

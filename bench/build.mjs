#!/usr/bin/env node
// Benchmark of `almac build` with the real engine, offline, against the fixture RPM repository served
// over HTTP on 127.0.0.1 by a small server that counts requests for .rpm files.
//
//   npm run bench:build [-- --runs N] [--json]
//
// Measures
//   0. what almac costs on top of the engine: `almac build --force` of 9/minimal (with its
//      verification) against a plain `podman build` of the same generated Containerfile, with the same
//      builder image (the one almac derives for `--repo fixture=DIR`), the same fixture repository and
//      the same flags, in the same store, alternating in the same rounds: medians and their ratio;
//   1. a full build (--force) of every buildable image type of release 9, with --jobs 1 and --jobs 2:
//      median wall time of N runs (default 3) and the ratio;
//   2. the RPM downloads of such a build: requests for .rpm files that reached the repository, next to
//      the number of distinct packages and the sum of every image's package count (what one download
//      per package per image would cost);
//   3. a no-op `almac build` (nothing changed): median of 7 runs.
// "Buildable" = the types whose package set the fixture repository resolves (host dnf, nothing
// installed); toolbox needs EPEL and more, so it is not.
// Needs what the e2e tests need (scripts/setup-engine.sh); the builder image and fixture repository
// are made with the repository's scripts, in the same work directory as the e2e tests.
import { execFile, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'almac.js');
const WORK = join(process.env.ALMAC_E2E_WORK ?? tmpdir(), 'almac-build-e2e');
const STORE = join(WORK, 'engine');
const REPO = join(WORK, 'repo');
const SYSBASE = 'localhost/almac-builder:bookworm';
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 3) || 3;
const ONLY_OVERHEAD = args.includes('--overhead-only');
const JSON_OUT = args.includes('--json');

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function run(cmd, argv, opts = {}) {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    execFile(cmd, argv, { maxBuffer: 256 << 20, ...opts }, (err, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms });
    });
  });
}

// --- set-up -----------------------------------------------------------------------------------------
mkdirSync(WORK, { recursive: true });
log('set-up: fixture repository and builder image (cached)');
execFileSync('flock', [join(WORK, 'setup.lock'), 'bash', '-c', [
  'set -euo pipefail',
  `. "${ROOT}/scripts/engine-env.sh" "${STORE}" >/dev/null`,
  `"${ROOT}/scripts/make-fixture-repo.sh" "${REPO}" >&2`,
  `"${ROOT}/scripts/make-builder-image.sh" --tag "${SYSBASE}" >&2`,
].join('\n')], { stdio: ['ignore', 'inherit', 'inherit'] });

// the repository over HTTP, counting .rpm requests
let rpmRequests = [];
const server = createServer((req, res) => {
  const p = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  const file = join(REPO, p);
  if (!file.startsWith(REPO) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
  if (p.endsWith('.rpm')) rpmRequests.push(p);
  res.writeHead(200, { 'content-length': statSync(file).size });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const REPO_URL = `http://127.0.0.1:${server.address().port}/`;

// 0. almac vs plain podman, same Containerfile, builder and repository
const engineEnv = { ...process.env, CONTAINERS_CONF: join(STORE, 'conf', 'containers.conf'), CONTAINERS_STORAGE_CONF: join(STORE, 'conf', 'storage.conf'), TMPDIR: join(STORE, 'tmp') };
const overheadDir = join(WORK, 'bench-overhead');
const one = ['build', '9/minimal', '--via', 'containerfile', '--repo', `fixture=${REPO}`, '--sysbase', SYSBASE, '--store', STORE, '--build-dir', overheadDir, '--jobs', '1', '--progress', 'plain'];
log('overhead: warm-up (derives the builder)');
let w = await run(process.execPath, [CLI, ...one, '--json'], { cwd: ROOT });
if (w.code !== 0) {
  log(`warm-up failed (exit ${w.code}):\n${w.stderr.slice(-3000)}`);
  process.exit(1);
}
const builderTag = (await run('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=localhost/almac/builder'], { env: engineEnv })).stdout.split('\n').filter(Boolean)[0];
const containerfile = join(ROOT, 'generated', 'containerfiles', '9', 'Containerfile.minimal');
const context = join(overheadDir, 'context');
mkdirSync(context, { recursive: true });
const plain = ['build', '--pull=never', '--layers=false', '--network', 'none', '--platform', 'linux/amd64', '--build-arg', `SYSBASE=${builderTag}`, '--build-arg', 'TARGETPLATFORM=linux/amd64', '-f', containerfile, '-t', 'localhost/bench/plain:minimal', context];
const overhead = { almac: [], podman: [] };
for (let i = 0; i < RUNS; i++) {
  const a = await run(process.execPath, [CLI, ...one, '--force'], { cwd: ROOT });
  if (a.code !== 0) log(`almac build failed: ${a.stderr.slice(-2000)}`);
  overhead.almac.push(a.ms);
  const p = await run('podman', plain, { env: engineEnv });
  if (p.code !== 0) log(`podman build failed: ${p.stderr.slice(-2000)}`);
  overhead.podman.push(p.ms);
  log(`overhead round ${i + 1}: almac ${(a.ms / 1000).toFixed(1)} s, podman ${(p.ms / 1000).toFixed(1)} s`);
}
await run('podman', ['rmi', 'localhost/bench/plain:minimal'], { env: engineEnv });
const overheadResult = { builder: builderTag, almacMs: median(overhead.almac), podmanMs: median(overhead.podman), ratio: median(overhead.almac) / median(overhead.podman), samples: overhead };
log(`overhead: almac ${(overheadResult.almacMs / 1000).toFixed(2)} s vs podman ${(overheadResult.podmanMs / 1000).toFixed(2)} s = ${overheadResult.ratio.toFixed(2)}×`);
if (ONLY_OVERHEAD) {
  server.close();
  process.stdout.write(JSON.stringify({ overhead: overheadResult }, null, 2) + '\n');
  process.exit(0);
}

// buildable release-9 types
const list = JSON.parse((await run(process.execPath, [CLI, 'list', '--json'], { cwd: ROOT })).stdout);
const nine = list.filter((i) => i.release === '9').map((i) => i.id);
const buildable = [];
for (const id of nine) {
  const spec = JSON.parse((await run(process.execPath, [CLI, 'print', id, '--json'], { cwd: ROOT })).stdout);
  const tmp = mkdtempSync(join(WORK, 'resolve-'));
  writeFileSync(join(tmp, '.rpmmacros'), '%_dbpath /var/lib/rpm\n');
  // the image's package install and every later `install` step of its definition
  const wanted = [...spec.packages.install, ...[...spec.steps, ...spec.insideSteps].flatMap((s) => (s.operation.op === 'install' ? s.operation.packages : []))];
  const r = await run('dnf', ['-q', '--assumeno', '--installroot', join(tmp, 'root'), '--releasever', spec.releasever, `--setopt=reposdir=${tmp}`,
    `--repofrompath=fixture,file://${REPO}`, '--repo', 'fixture', '--setopt=fixture.gpgcheck=0', '--allowerasing', 'install', ...wanted], { env: { ...process.env, HOME: tmp } });
  rmSync(tmp, { recursive: true, force: true });
  // --assumeno exits 1 after a successful resolution ("Operation aborted"); a failed one says why
  const why = r.stderr.split('\n').find((l) => /^Error:|No match for argument|Unable to find a match|^ Problem/.test(l));
  if (why) log(`${id}: not buildable with the fixtures (${why.trim()})`);
  else buildable.push(id);
}
log(`buildable release-9 types: ${buildable.join(' ')}`);

const buildDir = join(WORK, 'bench-build');
const base = ['build', ...buildable, '--repo', `fixture=${REPO_URL}`, '--sysbase', SYSBASE, '--store', STORE, '--build-dir', buildDir];
const almac = (extra) => run(process.execPath, [CLI, ...base, ...extra], { cwd: ROOT });

// warm-up: derived builder, first build
log('warm-up build');
let r = await almac(['--jobs', '2', '--json']);
if (r.code !== 0) {
  log(`warm-up build failed (exit ${r.code}):\n${r.stderr.slice(-4000)}`);
  server.close();
  process.exit(1);
}

// 1. full builds
const times = { 1: [], 2: [] };
let downloads;
for (let i = 0; i < RUNS; i++) {
  for (const jobs of [1, 2]) {
    rpmRequests = [];
    r = await almac(['--force', '--jobs', String(jobs), '--json']);
    if (r.code !== 0) {
      log(`build failed (exit ${r.code}):\n${r.stderr.slice(-4000)}`);
      server.close();
      process.exit(1);
    }
    times[jobs].push(r.ms);
    log(`full build, --jobs ${jobs}: ${(r.ms / 1000).toFixed(1)} s`);
    if (jobs === 2 && !downloads) {
      const j = JSON.parse(r.stdout);
      const manifests = j.builds.map((b) => readFileSync(b.manifest, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')));
      const distinct = new Set(manifests.flat());
      downloads = {
        rpmRequests: rpmRequests.length,
        distinctRpmsRequested: new Set(rpmRequests).size,
        distinctPackagesInImages: distinct.size,
        sumOfImagePackageCounts: manifests.reduce((n, m) => n + m.length, 0),
        imagesWithoutRpmdb: j.builds.filter((b) => b.packages === null).map((b) => b.image),
        cache: j.packageCache,
      };
    }
  }
}

// 3. no-op
const noop = [];
for (let i = 0; i < 7; i++) {
  r = await almac([]);
  if (r.code !== 0 || !/unchanged/.test(r.stdout)) log(`no-op run did not skip: ${r.stdout}${r.stderr}`);
  noop.push(r.ms);
}
server.close();

const result = {
  overhead: overheadResult,
  images: buildable,
  runs: RUNS,
  fullBuildMs: { jobs1: median(times[1]), jobs2: median(times[2]), ratio: median(times[1]) / median(times[2]), samples: times },
  noopMs: { median: median(noop), samples: noop },
  downloads,
};
if (JSON_OUT) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write([
    `almac build — release 9, ${buildable.length} types (${buildable.join(', ')}), containerfile route, fixture repository over HTTP on 127.0.0.1`,
    '',
    '| measurement | median | runs |',
    '|---|---|---|',
    `| almac build --force 9/minimal (build + verification) | ${s(overheadResult.almacMs)} | ${RUNS} |`,
    `| plain podman build, same Containerfile and builder | ${s(overheadResult.podmanMs)} | ${RUNS} |`,
    `| almac / podman | ${overheadResult.ratio.toFixed(2)}× | |`,
    `| full build, --jobs 1 | ${s(result.fullBuildMs.jobs1)} | ${RUNS} |`,
    `| full build, --jobs 2 | ${s(result.fullBuildMs.jobs2)} | ${RUNS} |`,
    `| speed-up (jobs 1 / jobs 2) | ${result.fullBuildMs.ratio.toFixed(2)}× | |`,
    `| no-op almac build | ${s(result.noopMs.median)} | 7 |`,
    '',
    `RPM downloads of one full build: ${downloads.rpmRequests} requests for ${downloads.distinctRpmsRequested} distinct .rpm files;`,
    `the images hold ${downloads.distinctPackagesInImages} distinct packages (sum over images: ${downloads.sumOfImagePackageCounts}` +
      `${downloads.imagesWithoutRpmdb.length ? `, not counting ${downloads.imagesWithoutRpmdb.join(', ')}, which has no rpm database` : ''}).`,
    '',
  ].join('\n'));
}

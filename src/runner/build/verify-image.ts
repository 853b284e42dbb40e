// verify: a built image's package manifest (rpm -qa from its mounted root) and every assertion of its
// definition, plus its lock with --locked, plus upstream's identity smoke test (release and
// architecture, ../identity.ts) for the build's platform.
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { compareWithLock, describeComparison } from '../../lock/compare.js';
import { definitionHash, parseLock } from '../../lock/lockfile.js';
import { CancelledError } from '../engine/index.js';
import type { Job, JobContext } from '../job.js';
import { GENERATED_DIR } from '../load.js';
import { checkIdentity } from '../identity.js';
import { checkCommandAssertions, checkStaticAssertions, fileOwnerArch, findRpmDb, readManifest, renderManifest, type AssertionResult } from '../verify.js';

const COMMAND_TIMEOUT_MS = 120_000;

export async function verifyImage(job: Job, ctx: JobContext): Promise<void> {
  const { plan: j, result } = job;
  const { engine } = ctx;
  const id = result.imageId!;
  ctx.step('verify: package manifest');
  const info = await engine.inspect(id);
  result.size = info.size;
  const scratch = join(j.workDir, 'verify');
  mkdirSync(scratch, { recursive: true });
  const root = await engine.mountImage(id, scratch);
  let staticResults: AssertionResult[];
  let identityResult: AssertionResult;
  try {
    const m = await readManifest(root.path, scratch, ctx.signal);
    result.packages = m.packages ? m.packages.length : null;
    writeFileSync(j.manifestFile, renderManifest(j.spec.id, m));
    ctx.log(`# manifest: ${m.packages ? `${m.packages.length} packages` : m.note} → ${j.manifestFile}`);
    staticResults = checkStaticAssertions(j.spec, root.path, m);
    if (j.lockFile) staticResults.push(checkLock(job, m.packages));
    ctx.step(`verify: identity (release, ${j.platform.name})`);
    const rpmDb = m.packages ? findRpmDb(root.path) : undefined;
    const identity = await checkIdentity(j.spec, j.platform, {
      root: root.path,
      rpmDb,
      rpmArch: () => fileOwnerArch(root.path, rpmDb!, '/etc/almalinux-release', scratch, ctx.signal),
      unameM: async () => {
        const r = await ctx.container(id, ['uname', '-m'], { timeoutMs: COMMAND_TIMEOUT_MS, allowFailure: true });
        return r.code === 0 ? r.stdout : '';
      },
    });
    identityResult = { name: `identity: AlmaLinux ${j.spec.version} on ${j.platform.name}`, kind: 'identity', origin: j.generatedRel, ok: identity.ok, detail: identity.detail };
  } finally {
    await root.release();
  }
  ctx.checkCancelled();
  const nCmd = j.spec.assertions.filter((a) => a.assertion.kind.startsWith('command-')).length;
  if (nCmd) ctx.step(`verify: ${nCmd} command${nCmd === 1 ? '' : 's'} in the image`);
  const cmdResults = await checkCommandAssertions(j.spec, async (argv) => {
    const r = await ctx.container(id, argv, { timeoutMs: COMMAND_TIMEOUT_MS, allowFailure: true });
    if (r.aborted) throw new CancelledError();
    return r;
  });
  // in the definition's order
  const byName = new Map<string, AssertionResult[]>();
  for (const r of [...staticResults, ...cmdResults]) byName.set(r.name + r.origin, [...(byName.get(r.name + r.origin) ?? []), r]);
  result.assertions = j.spec.assertions.map((a) => byName.get(a.name + `${a.origin.file}:${a.origin.line}`)!.shift()!);
  const lockResult = staticResults.find((r) => r.kind === 'lock');
  if (lockResult) result.assertions.push(lockResult);
  result.assertions.push(identityResult);
  for (const a of result.assertions) ctx.log(`# assertion ${a.ok ? 'ok    ' : 'FAILED'} ${a.name} (${a.origin})${a.detail ? `: ${a.detail}` : ''}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    rmdirSync(j.workDir); // empty by now unless a step kept something for inspection
  } catch {
    // not empty
  }
}

/** --locked: the built image's packages against generated/locks/<release>-<image>-<arch>.lock.json. */
function checkLock({ plan: j }: Job, packages: string[] | null): AssertionResult {
  const rel = relative(dirname(dirname(j.lockFile!)), j.lockFile!);
  const base = { name: `matches the lock ${GENERATED_DIR}/${rel}`, kind: 'lock', origin: `${GENERATED_DIR}/${rel}` };
  const lock = existsSync(j.lockFile!) ? parseLock(readFileSync(j.lockFile!, 'utf8')) : undefined;
  if (!lock) return { ...base, ok: false, detail: `no valid lock file; run \`almac lock ${j.spec.id}\`` };
  if (lock.definitionHash !== definitionHash(j.spec, j.platform)) return { ...base, ok: false, detail: `the lock is stale (the definition changed); run \`almac lock ${j.spec.id}\`` };
  if (packages === null) return { ...base, ok: false, detail: 'the image has no rpm database to compare with the lock' };
  const c = compareWithLock(lock.packages, packages);
  return { ...base, ok: c.ok, ...(c.ok ? {} : { detail: describeComparison(c) }) };
}

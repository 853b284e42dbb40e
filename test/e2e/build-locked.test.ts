// `almac build --locked`: a built image must hold exactly its lock's packages. Real engine, real
// fixture repository; the lock is made by `almac lock` against the same repository.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_REPO, almac, copyProject, ensureBuildEnv, fixtureArgs, parseBuildJson, skipReason, tempDir } from './build-env.js';

const SKIP = skipReason();

describe.skipIf(SKIP)(`almac build --locked${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let project: string;
  const lockMinimal = () => join(project, 'generated/locks/9-minimal-x86_64.lock.json');

  beforeAll(async () => {
    await ensureBuildEnv();
    project = copyProject();
    const r = await almac(['lock', '9/minimal', '--root', project, '--platform', 'linux/amd64', '--repo', `fixture=file://${FIXTURE_REPO}`]);
    expect(r.code, r.stderr).toBe(0);
  }, 900_000);

  it('passes when the image holds exactly the locked packages', async () => {
    const j = parseBuildJson(await almac(['build', '9/minimal', '--locked', '--json', '--root', project, ...fixtureArgs(tempDir('locked-ok-'))]));
    const lock = j.builds[0]!.assertions.find((a) => a.kind === 'lock');
    expect(lock, JSON.stringify(j.builds[0])).toBeDefined();
    expect(lock!.ok, lock!.detail).toBe(true);
    expect(j.ok).toBe(true);
  }, 900_000);

  it('fails, naming the package, when the image differs from its lock', async () => {
    const lock = JSON.parse(readFileSync(lockMinimal(), 'utf8'));
    const bash = lock.packages.find((p: { name: string }) => p.name === 'bash');
    bash.release = '1.el9_0'; // a version the repository does not have
    writeFileSync(lockMinimal(), JSON.stringify(lock, null, 2) + '\n');
    const r = await almac(['build', '9/minimal', '--locked', '--json', '--root', project, ...fixtureArgs(tempDir('locked-bad-'))]);
    expect(r.code).toBe(1);
    const a = parseBuildJson(r).builds[0]!.assertions.find((x) => x.kind === 'lock')!;
    expect(a.ok).toBe(false);
    expect(a.detail).toContain('not in the image: bash-5.1.8-1.el9_0.x86_64');
    expect(a.detail).toMatch(/not in the lock: bash-5\.1\.8-9\.el9\.x86_64/);
  }, 900_000);

  it('fails with a hint when there is no lock', async () => {
    const r = await almac(['build', '9/micro', '--locked', '--json', '--root', project, ...fixtureArgs(tempDir('locked-none-'))]);
    expect(r.code).toBe(1);
    const a = parseBuildJson(r).builds[0]!.assertions.find((x) => x.kind === 'lock')!;
    expect(a.ok).toBe(false);
    expect(a.detail).toContain('no valid lock file; run `almac lock 9/micro`');
  }, 900_000);
});

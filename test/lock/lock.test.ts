// `almac lock` against a real local RPM repository built by scripts/make-fixture-repo.sh, resolved by
// the host's dnf. Also: `almac check` catches a lock that no longer matches its definition.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, processes } from '../helpers/processes.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/almac.js');
const haveTools = ['rpmbuild', 'createrepo_c'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0) && existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import dnf']).status === 0;

function almac(args: string[], cwd: string) {
  return spawnSync('node', [CLI, ...args, '--root', cwd], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe.skipIf(!haveTools)('almac lock (needs rpmbuild, createrepo_c and dnf: bash scripts/setup-engine.sh)', () => {
  let work: string;
  let repo: string;
  let project: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'almac-lock-test-'));
    repo = join(work, 'repo');
    execFileSync('bash', [join(ROOT, 'scripts/make-fixture-repo.sh'), repo, '--with-updates'], { stdio: 'pipe' });
    project = join(work, 'project');
    for (const d of ['definitions', 'generated']) cpSync(join(ROOT, d), join(project, d), { recursive: true });
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const lockFile = () => join(project, 'generated/locks/9-minimal-x86_64.lock.json');

  it('resolves the definition with its dependencies, with the repository\'s real checksums', () => {
    const r = almac(['lock', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${repo}`], project);
    expect(r.stderr + r.stdout).toContain('9-minimal-x86_64.lock.json');
    expect(r.status).toBe(0);
    const lock = JSON.parse(readFileSync(lockFile(), 'utf8'));
    expect(lock.image).toBe('9/minimal');
    expect(lock.repositories).toEqual(['fixture']);
    const names: string[] = lock.packages.map((p: { name: string }) => p.name);
    // Everything the definition installs, plus what those packages require.
    const spec = JSON.parse(almac(['print', '9/minimal', '--json'], project).stdout);
    for (const n of spec.packages.install) expect(names).toContain(n);
    expect(names).toContain('glibc'); // required by glibc-minimal-langpack, not named in the definition
    expect(names).toEqual([...names].sort());
    for (const p of lock.packages) {
      const file = join(repo, `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`);
      expect(p.checksum).toBe('sha256:' + createHash('sha256').update(readFileSync(file)).digest('hex'));
    }
    expect(almac(['check'], project).status).toBe(0);
  });

  it('is kept by generate, and check reports it stale once the definition changes', () => {
    const before = readFileSync(lockFile(), 'utf8');
    expect(almac(['generate'], project).status).toBe(0);
    expect(readFileSync(lockFile(), 'utf8')).toBe(before);

    const def = join(project, 'definitions/images/minimal.alma');
    const text = readFileSync(def, 'utf8');
    expect(text).toContain('  package-manager microdnf\n');
    writeFileSync(def, text.replace('  package-manager microdnf\n', '  package-manager microdnf\n  install tar\n'));
    expect(almac(['generate'], project).status).toBe(0);
    const check = almac(['check'], project);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/lock\s+generated\/locks\/9-minimal-x86_64\.lock\.json\s+\(the definition of 9\/minimal changed since it was locked/);

    // Re-locking with a repository that has a newer bash picks it up.
    const r = almac(['lock', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${repo}`, '--repo', `updates=file://${repo}-updates`], project);
    expect(r.status).toBe(0);
    const lock = JSON.parse(readFileSync(lockFile(), 'utf8'));
    const bash = lock.packages.find((p: { name: string }) => p.name === 'bash');
    expect(`${bash.version}-${bash.release}`).toBe('5.1.8-10.el9');
    expect(lock.packages.map((p: { name: string }) => p.name)).toContain('tar');
    expect(almac(['check'], project).status).toBe(0);
  });

  it('writes the other files back byte for byte, and refuses a tree with entries that are not files', () => {
    const lockArgs = ['lock', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${repo}`];
    // a hand-edited file that is not valid UTF-8 keeps its bytes (check reports it; generate mends it)
    const edited = join(project, 'generated/containerfiles/9/Containerfile.minimal');
    const bytes = Buffer.concat([readFileSync(edited), Buffer.from([0xff, 0xfe, 0x0a])]);
    writeFileSync(edited, bytes);
    rmSync(lockFile());
    const first = almac(lockArgs, project);
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(edited).equals(bytes)).toBe(true);
    expect(existsSync(lockFile())).toBe(true);

    const fifo = join(project, 'generated/fifo');
    execFileSync('mkfifo', [fifo]);
    rmSync(lockFile());
    const r = almac(lockArgs, project);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('generated/fifo: a FIFO, not a regular file');
    expect(r.stderr).toContain('Run `almac generate`');
    expect(existsSync(lockFile())).toBe(false);
    expect(statSync(fifo).isFIFO()).toBe(true);
    rmSync(fifo);
    expect(almac(['generate'], project).status).toBe(0);
    expect(almac(lockArgs, project).status).toBe(0);
    expect(almac(['check'], project).status).toBe(0);
  });

  it('leaves nothing behind when killed while dnf resolves: the resolver dies with it, and the next run removes its work directory', async () => {
    // A repository on 127.0.0.1 that accepts connections and never answers: dnf waits for its
    // metadata far longer than this test, so the resolver is surely running when almac is killed.
    const held = new Set<Socket>();
    const server = createServer((socket) => held.add(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const workDir = join(project, '.almac/lock-work');
    const tmpBefore = new Set(readdirSync(tmpdir()));
    /** The resolver (python3 scripts/dnf-resolve.py) started by process `parent`, if it is running. */
    const resolverOf = (parent: number): number | undefined =>
      processes().find((p) => p.ppid === parent && p.cmdline.includes('dnf-resolve.py'))?.pid;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
        const child = spawn('node', [CLI, 'lock', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=http://127.0.0.1:${port}/`, '--root', project], { stdio: 'ignore' });
        let resolver: number | undefined;
        for (let i = 0; i < 2000 && resolver === undefined && child.exitCode === null; i++) {
          resolver = resolverOf(child.pid!);
          if (resolver === undefined) await sleep(10);
        }
        expect(resolver, 'the resolver was seen running').toBeDefined();
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
        for (let i = 0; i < 200 && isRunning(resolver!); i++) await sleep(25);
        expect(isRunning(resolver!), `the resolver outlived almac (${signal})`).toBe(false);
        expect(readdirSync(workDir), "the killed run's work directory").toHaveLength(1);
        const next = almac(['lock', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${repo}`], project);
        expect(next.status, next.stderr).toBe(0);
        expect(next.stderr).toContain('removed the work directories of 1 interrupted earlier run of almac lock');
        expect(existsSync(workDir)).toBe(false);
      }
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
    expect(readdirSync(tmpdir()).filter((e) => !tmpBefore.has(e) && e.startsWith('almac-lock-'))).toEqual([]);
  }, 120_000);

  it('reports an unknown selector as a usage error', () => {
    const r = almac(['lock', '9/minimall', '--repo', `fixture=file://${repo}`], project);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no image matches `9\/minimall`; did you mean `9\/minimal`\?/);
  });
});

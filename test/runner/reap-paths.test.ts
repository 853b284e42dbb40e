// Which processes a run treats as its store's leftovers: a store's path must be named as a whole
// path, so one store's reaping never kills the builds of another whose path merely starts alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNamesPath, processesUsingSync } from '../../src/runner/engine/index.js';

describe('commandNamesPath', () => {
  const store = '/tmp/almac-build-e2e/engine';
  it.each([
    [['conmon', '--root', store], true],
    [['conmon', `--root=${store}/storage`], true],
    [['runc', '--root', `${store}/runc`, 'kill', 'x'], true],
    [['sh', '-c', `rm -rf ${store}/tmp/x`], true],
    [['podman', `--storage-opt=overlay.mount_program=/usr/bin/fuse-overlayfs,root:${store}`], true],
    [['conmon', '--root', `${store}-library`], false],
    [['conmon', `--root=${store}-library/storage`], false],
    [['conmon', '--root', `/other${store}`], false],
    [['sleep', '100'], false],
  ] as [string[], boolean][])('%j → %s', (argv, named) => {
    expect(commandNamesPath(argv, store)).toBe(named);
    expect(commandNamesPath(argv, `${store}/`)).toBe(named);
  });
  it('treats regular-expression characters in a path literally', () => {
    expect(commandNamesPath(['x', '/tmp/a.b+c/engine'], '/tmp/a.b+c/engine')).toBe(true);
    expect(commandNamesPath(['x', '/tmp/aXbbc/engine'], '/tmp/a.b+c/engine')).toBe(false);
  });
});

describe('processesUsingSync', () => {
  it("finds a process in its store, not one in a store whose path starts with the store's", async () => {
    const base = mkdtempSync(join(tmpdir(), 'almac-reap-'));
    const store = join(base, 'engine');
    const mine = spawn('sh', ['-c', 'sleep 30; :', 'almac-test', `${store}/storage`], { stdio: 'ignore', detached: true });
    const other = spawn('sh', ['-c', 'sleep 30; :', 'almac-test', `${store}-library/storage`], { stdio: 'ignore', detached: true });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const pids = processesUsingSync([store], undefined).map((p) => p.pid);
      expect(pids).toContain(mine.pid);
      expect(pids).not.toContain(other.pid);
    } finally {
      process.kill(-mine.pid!, 'SIGKILL');
      process.kill(-other.pid!, 'SIGKILL');
      rmSync(base, { recursive: true, force: true });
    }
  });
});

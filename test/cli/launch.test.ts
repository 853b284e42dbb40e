// How bin/almac.js starts: the bundle dist/almac.cjs only while it is up to date, V8's code cache
// in the user's cache dir, and nothing else of that dir touched (src/cli/launch.cts).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, freshBundle } from '../../src/cli/launch.cjs';
import { OPTIMIZE_ABOVE_CHARS } from '../../src/util/tiering.js';
import { freshProject, runCli } from '../helpers/project.js';
import { REPO_ROOT } from '../helpers/paths.js';

const temp = mkdtempSync(join(tmpdir(), 'almac-launch-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the bundle', () => {
  it('is used only while every listed input has its recorded size and content', () => {
    const input = join(temp, 'input.js');
    writeFileSync(input, 'export const x = 1;\n');
    const st = statSync(input);
    const bundle = join(temp, 'almac.cjs');
    const digest = createHash('sha1').update('export const x = 1;\n').digest('hex');
    const body = '(function (exports) {\n})\n';
    writeFileSync(bundle, `// almac-bundle-inputs ${JSON.stringify([['input.js', st.size, Math.trunc(st.mtimeMs), digest]])}\n// almac-bundle-digest ${createHash('sha1').update(body).digest('hex')}\n${body}`);
    expect(freshBundle(bundle)).toContain('(function (exports)');
    utimesSync(input, st.atime, new Date(st.mtimeMs + 5000)); // a copy: another time, the same content
    expect(freshBundle(bundle)).toContain('(function (exports)');
    writeFileSync(input, 'export const x = 2;\n'); // a rebuild: the same size, other content
    expect(freshBundle(bundle)).toBeUndefined();
    writeFileSync(input, 'export const x = 22;\n');
    expect(freshBundle(bundle)).toBeUndefined();
    rmSync(input);
    expect(freshBundle(bundle)).toBeUndefined();
    writeFileSync(bundle, 'module.exports = {};\n'); // no inputs line: not a bundle of this build
    expect(freshBundle(bundle)).toBeUndefined();
    writeFileSync(bundle, '// almac-bundle-inputs []\nmodule.exports = {};\n'); // an older format, without the digest line
    expect(freshBundle(bundle)).toBeUndefined();
    expect(freshBundle(join(temp, 'missing.cjs'))).toBeUndefined();
  });

  it('names the code cache by the digest line, the bundle file and Node, hashing nothing at start-up', () => {
    const digest = createHash('sha1').update('code').digest('hex');
    const text = `// almac-bundle-inputs []\n// almac-bundle-digest ${digest}\nmodule.exports = {};\n`;
    const st = { size: 100, mtimeMs: 1_700_000_000_123.5 };
    const key = cacheKey(text, st)!;
    expect(key).toMatch(/^[0-9a-f]{20}$/);
    expect(key.startsWith(digest.slice(0, 12))).toBe(true);
    expect(cacheKey(text, st)).toBe(key);
    // Another build, or the same bundle edited by hand (another size or time), gets another cache.
    expect(cacheKey(text.replace(digest, createHash('sha1').update('other').digest('hex')), st)).not.toBe(key);
    expect(cacheKey(text, { ...st, size: 101 })).not.toBe(key);
    expect(cacheKey(text, { ...st, mtimeMs: st.mtimeMs + 1 })).not.toBe(key);
    // No digest line (a bundle of an older build): no cache at all, rather than a cache of other code.
    expect(cacheKey('// almac-bundle-inputs []\nmodule.exports = {};\n', st)).toBeUndefined();
    expect(cacheKey(`// almac-bundle-inputs []\n// almac-bundle-digest nothex\n`, st)).toBeUndefined();
  });

  // The tests run launch.cts from src/; the CLI they start runs dist/cli/launch.cjs, next to the bundle.
  const built = freshBundle(join(REPO_ROOT, 'dist', 'almac.cjs')) !== undefined;
  it.skipIf(!built)('keeps one code cache file per verb, reuses it, and removes only its own stale files', async () => {
    const cacheHome = join(temp, 'cache');
    const dir = join(cacheHome, 'almac', 'code-cache');
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = await runCli(['explain', 'E401'], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f]{20}-explain\.v8$/)]);
    const written = statSync(join(dir, files[0]!)).mtimeMs;

    // Another build's old cache file goes; other files in the directory, and recent ones, stay.
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    for (const name of ['0000000000000000dead-check.v8', 'notes.txt', '1111111111111111beef-list.v8.123.tmp']) {
      writeFileSync(join(dir, name), 'x');
      utimesSync(join(dir, name), old, old);
    }
    writeFileSync(join(dir, '2222222222222222cafe-check.v8'), 'recent');
    const second = await runCli(['explain', 'E401'], { env });
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(join(dir, files[0]!)).mtimeMs).toBe(written); // used as it was, not rewritten
    const list = await runCli(['list'], { env, cwd: REPO_ROOT });
    expect(list.code).toBe(0);
    const after = readdirSync(dir);
    expect(after).toHaveLength(4);
    expect(after).toEqual(expect.arrayContaining([files[0]!, '2222222222222222cafe-check.v8', expect.stringMatching(/^[0-9a-f]{20}-list\.v8$/), 'notes.txt']));

    // A cache file that is not V8's data is rejected by V8, and replaced: the run is unaffected.
    writeFileSync(join(dir, files[0]!), 'garbage');
    const third = await runCli(['explain', 'E401'], { env });
    expect(third.stdout).toBe(first.stdout);
    expect(statSync(join(dir, files[0]!)).size).toBeGreaterThan(1000);
  });

  // Short commands run with V8's optimizing compiler off, and a compile of a large project turns it
  // on (src/util/tiering.ts); the cache must still be made under the flags the next run starts with.
  it.skipIf(!built)('keeps using one code cache across small and large projects', async () => {
    const cacheHome = join(temp, 'cache-tiers');
    const dir = join(cacheHome, 'almac', 'code-cache');
    const env = { XDG_CACHE_HOME: cacheHome };
    const large = freshProject();
    // A fragment of more than OPTIMIZE_ABOVE_CHARS characters, used by no image: the output is unchanged.
    const line = (i: number) => `      line ${String(i).padStart(8, '0')} of a large fragment, for the test\n`;
    const lines = Array.from({ length: Math.ceil(OPTIMIZE_ABOVE_CHARS / line(0).length) + 1 }, (_, i) => line(i)).join('');
    expect(lines.length).toBeGreaterThan(OPTIMIZE_ABOVE_CHARS);
    writeFileSync(join(large, 'definitions', 'large-fragment.alma'), `fragment large-text {\n  post {\n    write /etc/large.conf """\n${lines}      """\n  }\n}\n`);
    const first = await runCli(['check', '--root', large], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const files = readdirSync(dir).filter((f) => f.endsWith('-check-compiler.v8'));
    expect(files).toHaveLength(1);
    const written = statSync(join(dir, files[0]!)).mtimeMs;
    // A small project's check (no memo: another project) uses that cache as it is.
    const small = freshProject();
    const second = await runCli(['check', '--root', small], { env });
    expect(second.code).toBe(0);
    expect(statSync(join(dir, files[0]!)).mtimeMs).toBe(written);
    expect(readdirSync(dir).filter((f) => f.endsWith('-check-compiler.v8'))).toEqual(files);
  });

  it.skipIf(!built)('runs without a usable cache directory', async () => {
    const notADir = join(temp, 'file');
    writeFileSync(notADir, '');
    const r = await runCli(['explain', 'E401'], { env: { XDG_CACHE_HOME: notADir } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('E401');
  });
});

// The glob dialect as the shells of EL8/EL9 run it. bash before 5.2 expands `.*` to `.` and `..`
// too (bash 5.2 with `shopt -u globskipdots` behaves the same), so `rm -rf "$root"/tmp/.*` fails
// under `set -eu`; almac's commands must remove exactly the dotfiles, under bash and busybox sh.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptLines, stepItems } from '../../src/phases/4-render/runs.js';
import { commandContext } from '../../src/phases/4-render/commands.js';
import { compileInline, errorsOf, imageWith } from '../helpers/inline.js';
import { tempDir } from '../helpers/project.js';

const hasBusybox = spawnSync('busybox', ['sh', '-c', 'true']).status === 0;
const bashHasSkipdots = spawnSync('bash', ['-c', 'shopt globskipdots']).status === 0;

const SHELLS: [string, string[]][] = [
  ['bash (globskipdots off, as bash 4.4 and 5.1)', ['bash', '--norc', '--noprofile', '-c', `${bashHasSkipdots ? 'shopt -u globskipdots; ' : ''}set -eu; . "$1"`, 'almac-test']],
  ['bash --posix', ['bash', '--norc', '--noprofile', '--posix', '-c', `${bashHasSkipdots ? 'shopt -u globskipdots; ' : ''}set -eu; . "$1"`, 'almac-test']],
  ['busybox sh', ['busybox', 'sh', '-c', 'set -eu; . "$1"', 'almac-test']],
];

/** The post-install commands of a one-image definition, as a kickstart %post runs them. */
function script(post: string): string {
  const c = compileInline(imageWith(`  post {\n${post}\n  }`));
  expect(errorsOf(c)).toEqual([]);
  const spec = c.images[0]!;
  return scriptLines(stepItems(spec.steps, commandContext('"$root"', spec)), '$arch').join('\n') + '\n';
}

function tree(): string {
  const root = tempDir('almac-glob-');
  mkdirSync(join(root, 'tmp/.cache/deep'), { recursive: true });
  mkdirSync(join(root, 'tmp/keep'), { recursive: true });
  for (const f of ['tmp/.hidden', 'tmp/..double', 'tmp/.x', 'tmp/visible', 'tmp/x1', 'tmp/x2', 'tmp/xa', 'tmp/keep/.inner', 'etc-file']) writeFileSync(join(root, f), 'x\n');
  return root;
}

function run(shell: string[], text: string, root: string) {
  const file = join(root, 'commands.sh'); // inside the temporary directory, which the test removes
  writeFileSync(file, text);
  return spawnSync(shell[0]!, [...shell.slice(1), file], { env: { PATH: process.env['PATH'], HOME: root, root }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

describe.skipIf(!hasBusybox)('remove with dotfile globs', () => {
  const text = script('    remove /tmp/.* "/tmp/x[0-9]"\n    remove "/tmp/keep/.[!.]*"');

  it('emits a loop that skips `.` and `..` for dot-segment globs only', () => {
    expect(text).toContain('for almac_path in "$root"/tmp/.*; do case "/$almac_path/" in */./*|*/../*) ;; *) rm -rf "$almac_path" ;; esac; done');
    expect(text).toContain('rm -rf "$root"/tmp/x[0-9]');
  });

  for (const [name, shell] of SHELLS) {
    it(`removes exactly the dotfiles and the matching names under ${name}`, () => {
      const root = tree();
      const r = run(shell, text, root);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readdirSync(join(root, 'tmp')).sort()).toEqual(['keep', 'visible', 'xa']);
      expect(readdirSync(join(root, 'tmp/keep'))).toEqual([]);
      expect(existsSync(join(root, 'etc-file'))).toBe(true);
    });

    it(`matching nothing is not an error under ${name}`, () => {
      const root = tempDir('almac-glob-empty-');
      mkdirSync(join(root, 'tmp/keep'), { recursive: true });
      const r = run(shell, text, root);
      expect(r.status).toBe(0);
    });
  }

  it('the naive command fails under bash with globskipdots off (what the loop prevents)', () => {
    if (!bashHasSkipdots) return;
    const root = tree();
    const r = run(SHELLS[0]![1], 'rm -rf "$root"/tmp/.*\n', root);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to remove '\.' or '\.\.'/);
  });

  it('delete-lines and replace on a dot-segment glob skip `.` and `..` too', () => {
    const t = script('    delete-lines "/tmp/keep/.*" matching "x"');
    const root = tree();
    for (const [, shell] of SHELLS) expect(run(shell, t, root).status).toBe(0);
    expect(execFileSync('cat', [join(root, 'tmp/keep/.inner')], { encoding: 'utf8' })).toBe('');
  });
});

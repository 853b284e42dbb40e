// Arguments of post-install steps that are plain words rather than paths must not be mistaken for
// misspelt options: a symlink target such as `busybox` is a value.
import { describe, expect, it } from 'vitest';
import { compileInline, imageWith } from '../helpers/inline.js';

describe('post-install step arguments', () => {
  it('accepts a relative symlink target that is a bare word', () => {
    const c = compileInline(imageWith('  post {\n    symlink /usr/bin/sh -> busybox\n  }'));
    expect(c.diagnostics).toEqual([]);
    const step = c.images[0]!.steps.find((s) => s.operation.op === 'symlink')!;
    expect(step.operation).toEqual({ op: 'symlink', path: '/usr/bin/sh', target: 'busybox' });
    expect(c.outputs!.get('containerfiles/9/Containerfile.t')).toContain('ln -sfn busybox /mnt/sys-root/usr/bin/sh');
  });

  it('still reports a misspelt option of a path-taking step', () => {
    const c = compileInline(imageWith('  post {\n    touch /etc/a mod 0644\n  }'));
    expect(c.diagnostics.map((d) => [d.code, d.message])).toEqual([['E204', 'unknown option `mod` for `touch`']]);
    expect(c.diagnostics[0]!.hint).toBe('did you mean `mode`?');
  });
});

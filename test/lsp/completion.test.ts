// Completion's statement lists are exactly what the analyzer accepts in each block: each list is
// compared with the "expected: one of: …" of the analyzer's own E201 for an unknown statement there.
import { describe, expect, it } from 'vitest';
import { STATEMENTS, completionContext, type BlockKind } from '../../src/lsp/completion.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { analyze } from '../../src/phases/2-analyze/analyze.js';

const AXES = 'release 9 {\n  releasever 9\n  version 9.6\n  platforms [linux/amd64]\n}\nplatform linux/amd64 {\n  basearch x86_64\n}\n';
/** A file with an unknown statement `zzz` in a block of each kind; the cursor goes where `zzz` is. */
const PROBES: Partial<Record<BlockKind, string>> = {
  top: 'zzz\n',
  body: 'image x {\n  zzz\n}\n',
  post: 'image x {\n  post {\n    zzz\n  }\n}\n',
  config: 'image x {\n  config {\n    zzz\n  }\n}\n',
  naming: 'image x {\n  naming {\n    zzz\n  }\n}\n',
  kickstart: 'image x {\n  kickstart {\n    zzz\n  }\n}\n',
  assert: 'image x {\n  assert {\n    zzz\n  }\n}\n',
  release: 'release 8 {\n  zzz\n}\n',
  platform: 'platform linux/arm64 {\n  zzz\n}\n',
  repository: 'repository r {\n  zzz\n}\n',
};

describe('completion', () => {
  it.each(Object.entries(PROBES))('offers exactly the statements the analyzer accepts in a %s block', (kind, probe) => {
    const text = AXES + probe!;
    const f = parseSource('t.alma', text);
    const d = analyze([f.file]).diagnostics.find((x) => x.code === 'E201');
    expect(d, JSON.stringify(analyze([f.file]).diagnostics)).toBeDefined();
    const accepted = d!.expected!.replace(/^one of: /, '').split(', ');
    expect([...STATEMENTS[kind as BlockKind]].sort()).toEqual(accepted.sort());
    const ctx = completionContext(text, text.indexOf('zzz') + 3);
    expect(ctx).toMatchObject({ kind: 'statement', block: kind });
  });

  it('knows where it is inside conditions, nested blocks and lists', () => {
    const t = 'image x {\n  when release in [8, ';
    expect(completionContext(t, t.length)).toEqual({ kind: 'names', of: 'release' });
    const p = 'image x {\n  post {\n    when platform = linux/a';
    expect(completionContext(p, p.length)).toEqual({ kind: 'names', of: 'platform' });
    const n = 'image x {\n  when release >= 9 and ';
    expect(completionContext(n, n.length)).toMatchObject({ kind: 'condition' });
    const e = 'image x {\n  when release = 8 {\n  } else {\n    ';
    expect(completionContext(e, e.length)).toMatchObject({ kind: 'statement', block: 'body' });
    const u = 'image x {\n  use a, ';
    expect(completionContext(u, u.length)).toEqual({ kind: 'names', of: 'fragment' });
    const x = 'image x extends ';
    expect(completionContext(x, x.length)).toEqual({ kind: 'names', of: 'image' });
    const i = 'image x {\n  install [\n    bash\n    ';
    expect(completionContext(i, i.length)).toEqual({ kind: 'packages' });
    const s = 'image x {\n  description "unfinished';
    expect(completionContext(s, s.length)).toEqual({ kind: 'none' });
  });
});

// A compile parses, analyses and drops one file at a time, with the axes read ahead from the text
// (src/phases/2-analyze/axes.ts). The guess decides only how much memory the compile takes: when
// the syntax trees declare other axes than the text seemed to, the files are analysed again, and
// the answer is always the one of analysing every tree together.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { guessAxes } from '../../src/phases/2-analyze/axes.js';
import { analyze } from '../../src/phases/2-analyze/analyze.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { compileSources } from '../../src/project.js';
import { AXES, AXES_FILE, TEST_FILE, imageWith } from '../helpers/inline.js';

const line = (d: Diagnostic) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.col} ${d.message}`;
const shown = (c: ReturnType<typeof compileSources>) => c.diagnostics.map(line);

/** Analysis diagnostics of every tree together (the classic two-pass analysis). */
function analysedTogether(sources: Map<string, string>): string[] {
  const files = [...sources].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([p, t]) => parseSource(p, t).file);
  return analyze(files).diagnostics.map(line);
}

describe('axes read ahead from the text', () => {
  it('finds top-level release, platform and registry declarations', () => {
    const axes = guessAxes([AXES, 'registry ghcr {\n  host ghcr.io\n}\n  release 10-kitten {\n}\n']);
    expect([...axes.releases].sort()).toEqual(['10', '10-kitten', '9']);
    expect([...axes.platforms].sort()).toEqual(['linux/386', 'linux/amd64', 'linux/arm64']);
    expect([...axes.registries!]).toEqual(['ghcr']);
  });

  it('takes a text block line that looks like a declaration for one (the compile then checks)', () => {
    expect([...guessAxes(['image t {\n  post {\n    write /etc/x """\n      release 77\n      """\n  }\n}\n']).releases]).toEqual(['77']);
  });
});

describe('a compile analysed file by file', () => {
  it('a wrong guess (a text block line) still reports an undeclared release', () => {
    const text = imageWith('  post {\n    write /etc/notes """\n      release 77\n      """\n  }\n  when release = 77 {\n    install tar\n  }');
    const sources = new Map([[AXES_FILE, AXES], [TEST_FILE, text]]);
    const c = compileSources('/nonexistent-project-root', sources);
    expect(shown(c).filter((d) => d.startsWith('E302'))).toEqual([`E302 ${TEST_FILE}:9:18 \`77\` is not a declared release`]);
    expect(shown(c).filter((d) => /^E[23]/.test(d)).sort()).toEqual(analysedTogether(sources).sort());
  });

  it('a missed declaration (not at the start of a line) is still declared', () => {
    const axes = AXES.replace('}\nrelease 10 {', '} release 10 {');
    expect(guessAxes([axes]).releases.has('10')).toBe(false);
    const text = `image t {\n  releases [9, 10]\n  install dnf\n  when release = 10 {\n    install tar\n  }\n}\n`;
    const sources = new Map([[AXES_FILE, axes], [TEST_FILE, text]]);
    const c = compileSources('/nonexistent-project-root', sources);
    expect(shown(c)).toEqual([]);
    expect(c.images.map((s) => s.id)).toEqual(['9/t', '10/t']);
    expect(c.images[1]!.packages.install).toContain('tar');
  });

  it('gives the diagnostics of analysing every tree together, for duplicates across files and bad references', () => {
    const sources = new Map([
      [AXES_FILE, AXES],
      ['definitions/a.alma', imageWith('  use missing\n  when platform = linux/s390x {\n    install tar\n  }').replace('image t', 'image dup')],
      ['definitions/b.alma', 'fragment dup {\n  install tar\n}\nrelease 9 {\n  releasever 9\n}\n'],
    ]);
    const c = compileSources('/nonexistent-project-root', sources);
    const analysis = shown(c).filter((d) => /^E[23]/.test(d));
    expect(analysis.length).toBeGreaterThan(2);
    expect([...analysis].sort()).toEqual(analysedTogether(sources).sort());
    expect(analysis.some((d) => d.startsWith('E220') && d.includes('dup'))).toBe(true);
  });
});

// The committed generated/ tree is exactly what compiling definitions/ produces, file for file and
// byte for byte; a few representative images are also checked one by one so that a failure points
// at the image and line that changed.
import { describe, expect, it } from 'vitest';
import { renderContainerfile, renderKickstart } from '../../src/phases/4-render/render.js';
import { compileProject } from '../../src/project.js';
import { GENERATED, readFilesBytes, REPO_ROOT } from '../helpers/project.js';

const compilation = compileProject(REPO_ROOT);
const committed = readFilesBytes(GENERATED);

/** "line 12: expected `…`, found `…`", or undefined when equal: says where two texts part. */
function firstDifference(want: string, have: string): string | undefined {
  if (want === have) return undefined;
  const a = want.split('\n');
  const b = have.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: compiler writes ${JSON.stringify(a[i] ?? '<end of file>')}, generated/ has ${JSON.stringify(b[i] ?? '<end of file>')}`;
  }
  return 'the texts differ in their line endings';
}

describe('compiling definitions/', () => {
  it('succeeds without diagnostics', () => {
    expect(compilation.diagnostics.map((d) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
    expect(compilation.outputs).toBeDefined();
  });

  it('produces exactly the files in generated/', () => {
    expect([...compilation.outputs!.keys()].sort()).toEqual([...committed.keys()].sort());
  });

  it('produces every file in generated/ byte for byte', () => {
    const stale = [...compilation.outputs!]
      .filter(([path, text]) => committed.has(path) && !Buffer.from(text, 'utf8').equals(committed.get(path)!))
      .map(([path, text]) => `${path}: ${firstDifference(text, committed.get(path)!.toString('utf8'))}`);
    expect(stale).toEqual([]);
  });

  it('covers the 24 images: 4 releases × 6 image types', () => {
    expect(compilation.images.map((s) => s.id)).toHaveLength(24);
    expect(new Set(compilation.images.map((s) => s.release))).toEqual(new Set(['8', '9', '10', '10-kitten']));
    expect(new Set(compilation.images.map((s) => s.image))).toEqual(new Set(['base', 'default', 'init', 'micro', 'minimal', 'toolbox']));
  });
});

describe('representative images', () => {
  // One of each shape: microdnf without systemd, systemd with extra masks, no package manager at
  // all on the oldest release, and the two-transaction toolbox on the rolling release.
  for (const id of ['9/minimal', '9/init', '8/micro', '10-kitten/toolbox']) {
    const spec = compilation.images.find((s) => s.id === id);

    it(`${id}: Containerfile matches generated/${spec?.outputs.containerfile}`, () => {
      expect(spec).toBeDefined();
      const have = committed.get(spec!.outputs.containerfile)?.toString('utf8');
      expect(have).toBeDefined();
      expect(firstDifference(renderContainerfile(spec!), have!)).toBeUndefined();
    });

    it(`${id}: kickstart matches generated/${spec?.outputs.kickstart}`, () => {
      expect(spec).toBeDefined();
      const have = committed.get(spec!.outputs.kickstart)?.toString('utf8');
      expect(have).toBeDefined();
      expect(firstDifference(renderKickstart(spec!), have!)).toBeUndefined();
    });
  }

  it('generated files are text with one trailing newline and no trailing whitespace', () => {
    for (const [path, bytes] of committed) {
      const text = bytes.toString('utf8');
      expect(text.endsWith('\n') && !text.endsWith('\n\n'), path).toBe(true);
      expect(text.includes('\r'), path).toBe(false);
      expect(/[ \t]$/m.test(text), path).toBe(false);
    }
  });
});

// Inheritance that can take away (`drop`), and contradictions that name both places.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import { REPO_ROOT, definitionSources } from '../helpers/project.js';
import { at, compileInline, errorsOf, imageWith, where } from '../helpers/inline.js';

const FILE = 'definitions/images/python.alma';

/** The real definitions plus one more image file. */
function withImage(text: string) {
  return compileSources(REPO_ROOT, new Map([...definitionSources(), [FILE, text]]));
}
const codes = (c: ReturnType<typeof withImage>) => errorsOf(c).map(where);

describe('python on minimal', () => {
  it('is an error while the inherited `package-absent python3` stands, naming both places', () => {
    const c = withImage('image python extends minimal {\n  releases [9]\n  install python3\n}\n');
    const errs = errorsOf(c);
    expect(errs.map((d) => d.code)).toEqual(['E441']);
    expect(errs[0]!.span.file).toBe('definitions/images/minimal.alma');
    expect(errs[0]!.message).toBe('9/python: `package-absent python3` contradicts `install python3`');
    expect(errs[0]!.related?.map((r) => `${r.span.file}:${r.span.line}:${r.span.col}`)).toEqual([`${FILE}:3:11`]);
    expect(errs[0]!.hint).toContain('assert { drop package-absent python3 }');
  });

  it('works once the assertion is dropped', () => {
    const c = withImage('image python extends minimal {\n  releases [9]\n  install python3\n  assert {\n    drop package-absent python3\n    package-installed python3\n  }\n}\n');
    expect(errorsOf(c)).toEqual([]);
    const spec = c.images.find((s) => s.id === '9/python')!;
    const names = spec.assertions.map((a) => a.name);
    expect(names).toContain('package-installed python3');
    expect(names).not.toContain('package-absent python3');
    expect(names).toContain('package-absent dnf'); // written on the same line as python3, kept
    expect(c.outputs!.get('containerfiles/9/Containerfile.python')).toContain('python3');
  });
});

describe('drop', () => {
  it('takes away config values, env keys, labels and post steps of a fragment', () => {
    const c = withImage(`image python extends base {
  releases [9]
  config {
    drop cmd
    drop env LANG
    workdir /srv
  }
  post {
    drop utc-localtime
  }
}
`);
    expect(errorsOf(c)).toEqual([]);
    const spec = c.images.find((s) => s.id === '9/python')!;
    const base = c.images.find((s) => s.id === '9/base')!;
    expect(base.config.cmd).toBeDefined();
    expect(spec.config.cmd).toBeUndefined();
    expect(base.config.env.map(([k]) => k)).toContain('LANG');
    expect(spec.config.env.map(([k]) => k)).not.toContain('LANG');
    expect(spec.config.workdir).toBe('/srv');
    expect(base.steps.some((s) => s.group === 'utc-localtime')).toBe(true);
    expect(spec.steps.some((s) => s.group === 'utc-localtime')).toBe(false);
    const cf = c.outputs!.get('containerfiles/9/Containerfile.python')!;
    expect(cf).not.toContain('# utc-localtime');
    expect(cf).not.toMatch(/^CMD /m);
    expect(cf).toMatch(/^WORKDIR \/srv$/m);
  });

  it('instead-of replaces a fragment\'s inherited steps in their place', async () => {
    const text = 'image python extends base {\n  releases [9]\n  post {\n    instead-of utc-localtime {\n      symlink /etc/localtime -> ../usr/share/zoneinfo/Europe/Berlin\n    }\n  }\n}\n';
    const c = withImage(text);
    expect(errorsOf(c)).toEqual([]);
    const groups = (id: string) => c.images.find((s) => s.id === id)!.steps.map((s) => s.group).filter((g, i, a) => a[i - 1] !== g);
    expect(groups('9/python')).toEqual(groups('9/base').map((g) => (g === 'utc-localtime' ? 'python' : g)));
    const cf = c.outputs!.get('containerfiles/9/Containerfile.python')!;
    expect(cf).toContain('# python (definitions/images/python.alma)\nRUN ln -sfn ../usr/share/zoneinfo/Europe/Berlin /mnt/sys-root/etc/localtime');
    const { formatSource } = await import('../../src/format/format.js');
    expect(formatSource(FILE, text)).toEqual({ text, diagnostics: [] });
  });

  it('a child setting a value replaces the inherited one', () => {
    const c = withImage('image python extends base {\n  releases [9]\n  config {\n    cmd ["/usr/bin/python3"]\n  }\n}\n');
    expect(errorsOf(c)).toEqual([]);
    expect(c.images.find((s) => s.id === '9/python')!.config.cmd).toEqual(['/usr/bin/python3']);
  });

  it('that takes nothing away is an error (E440)', () => {
    const text = `image python extends base {
  releases [9]
  config {
    drop env NOPE
    drop user
  }
  post {
    drop no-such-fragment
  }
  assert {
    drop package-absent nothing-like-this
  }
}
`;
    const c = withImage(text);
    expect(codes(c)).toEqual([
      `E440 ${FILE}:4:5`,
      `E440 ${FILE}:5:5`,
      `E440 ${FILE}:8:10`,
      `E440 ${FILE}:11:5`,
    ]);
  });

  it('rejects what cannot be dropped', () => {
    const text = imageWith('  config {\n    drop shell\n    drop env\n  }\n  assert {\n    drop\n  }');
    const c = compileInline(text);
    expect(errorsOf(c).map((d) => d.code)).toEqual(['E201', 'E208', 'E208']);
    expect(where(errorsOf(c)[0]!)).toBe(`E201 definitions/${at(text, 'shell')}`);
  });
});

describe('contradictions', () => {
  it('package-installed of an excluded or removed package (E442), globs included', () => {
    const text = imageWith('  install curl\n  exclude "python3*"\n  remove vim-minimal\n  assert {\n    package-installed python3-libs vim-minimal\n  }');
    const c = compileInline(text);
    expect(errorsOf(c).map((d) => [d.code, d.message])).toEqual([
      ['E442', '9/t: `package-installed python3-libs` contradicts `exclude python3*`'],
      ['E442', '9/t: `package-installed vim-minimal` contradicts `remove vim-minimal`'],
    ]);
    expect(errorsOf(c)[0]!.related?.[0]?.message).toBe('`python3-libs` is excluded here');
  });

  it('an exclude or remove glob that matches an installed package (E401)', () => {
    const text = imageWith('  install python3\n  exclude "python3*"\n  remove "cur[lL]"\n  install curl');
    const c = compileInline(text);
    const errs = errorsOf(c);
    expect(errs.map(where)).toEqual([`E401 definitions/${at(text, '"python3*"')}`, `E401 definitions/${at(text, '"cur[lL]"')}`]);
    expect(errs[0]!.message).toBe('9/t: `python3*` matches `python3`, which is installed, so `python3` would be both installed and excluded');
    expect(errs[0]!.related?.[0]?.span.line).toBe(4);
  });

  it('a package-absent assertion contradicted by a later install transaction', () => {
    const c = compileInline(imageWith('  post {\n    install [python3]\n  }\n  assert {\n    package-absent python3\n  }'));
    expect(errorsOf(c).map((d) => d.code)).toEqual(['E441']);
  });

  it('the same config key set twice in one image, also through a fragment (E443)', () => {
    const text = `fragment f {
  config {
    env LANG "C.UTF-8"
  }
}

${imageWith('  use f\n  config {\n    env LANG "en_US.UTF-8"\n    user root\n    user app\n  }')}`;
    const c = compileInline(text);
    const errs = errorsOf(c);
    expect(errs.map((d) => d.message)).toEqual(['9/t: `env LANG` is set twice in image `t`', '9/t: `user` is set twice in image `t`']);
    expect(errs[0]!.related?.[0]?.span.line).toBe(3);
  });
});

describe('diagnostics that say where and how', () => {
  it('an unclosed `{` points at the opening brace of the block whose `}` is missing (E013)', () => {
    const text = 'image t {\n  releases [9]\n  install dnf\n  post {\n    touch /x\n\n  config {\n    cmd ["/bin/sh"]\n  }\n}\n';
    const e = errorsOf(compileInline(text)).find((d) => d.code === 'E013')!;
    expect(where(e)).toBe(`E013 definitions/${at(text, '{', 2)}`);
    expect(e.message).toBe('this `{` of `post` is never closed');
  });

  it('an undeclared release suggests both the closest release and how to declare it', () => {
    const text = imageWith('  when release = 11 {\n    install x\n  }');
    const e = errorsOf(compileInline(text))[0]!;
    expect(e.code).toBe('E302');
    expect(e.hint).toMatch(/^did you mean `10`\? If 11 is a new release, declare it: `release 11 \{ releasever 11 /);
    const p = errorsOf(compileInline(imageWith('  platforms [linux/mips64]')))[0]!;
    expect(p.hint).toContain('declare it: `platform linux/mips64 { basearch … }`');
  });
});

describe('almac diff', () => {
  it('reports assertion changes', async () => {
    const { diffImageSets } = await import('../../src/review/semantic-diff.js');
    const before = withImage('image python extends minimal {\n  releases [9]\n  install bash\n}\n');
    const after = withImage('image python extends minimal {\n  releases [9]\n  install [bash, python3]\n  assert {\n    drop package-absent python3\n    package-installed python3\n  }\n}\n');
    expect(errorsOf(before)).toEqual([]);
    expect(errorsOf(after)).toEqual([]);
    const d = diffImageSets({ images: before.images, locks: new Map() }, { images: after.images, locks: new Map() });
    const py = d.images.find((i) => i.id === '9/python')!;
    expect(py.changes.filter((c) => c.category === 'assertions')).toEqual([
      { category: 'assertions', kind: 'added', subject: 'assert package-installed python3' },
      { category: 'assertions', kind: 'removed', subject: 'assert package-absent python3' },
    ]);
    expect(d.images.map((i) => i.id)).toEqual(['9/python']);
  });
});

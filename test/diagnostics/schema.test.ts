// Statements checked against the schema (E2xx): unknown statements and operations with
// "did you mean", references to undeclared images and fragments, cycles, duplicates.
import { describe, expect, it } from 'vitest';
import { at, compileInline, diagnostics, imageWith, reported } from '../helpers/inline.js';

describe('unknown statements', () => {
  it('E201: an unknown top-level keyword, with did-you-mean', () => {
    const text = 'imagee t {\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E201', at: at(text, 'imagee'), message: 'unknown top-level statement `imagee`', hint: 'did you mean `image`?' }]));
  });

  it('E201: an unknown image statement, with did-you-mean', () => {
    const text = imageWith('  instal bash');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E201', at: at(text, 'instal '), message: 'unknown image statement `instal`', hint: 'did you mean `install`?' }]));
  });

  it('E201: an unknown post-install operation, with did-you-mean', () => {
    const text = imageWith('  post {\n    symlnk /a -> /b\n    tuch /c\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E201', at: at(text, 'symlnk'), message: 'unknown post-install statement `symlnk`', hint: 'did you mean `symlink`?' },
        { code: 'E201', at: at(text, 'tuch'), message: 'unknown post-install statement `tuch`', hint: 'did you mean `touch`?' },
      ]),
    );
  });

  it('E201: a post-install operation outside `post`, with a hint to move it', () => {
    const text = imageWith('  symlink /a -> /b');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E201', at: at(text, 'symlink'), message: 'unknown image statement', hint: 'put it inside `post { … }`' }]));
  });

  it('E201: unknown statements in config, naming, kickstart and assert blocks', () => {
    const text = imageWith('  config {\n    cmdd ["/bin/sh"]\n  }\n  naming {\n    tagz [a]\n  }\n  kickstart {\n    lange C.UTF-8\n  }\n  assert {\n    path-exist /x\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E201', at: at(text, 'cmdd'), message: 'unknown config statement', hint: '`cmd`' },
        { code: 'E201', at: at(text, 'tagz'), message: 'unknown naming statement', hint: 'did you mean `tag`?' },
        { code: 'E201', at: at(text, 'lange'), message: 'unknown kickstart statement', hint: '`lang`' },
        { code: 'E201', at: at(text, 'path-exist '), message: 'unknown assert statement', hint: '`path-exists`' },
      ]),
    );
  });

  it('E202 / E203: a block where none belongs, and a missing block', () => {
    const text = imageWith('  install bash {\n  }\n  post');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E202', at: at(text, '{', 2), message: '`install` does not take a block' },
        { code: 'E203', at: at(text, 'post'), message: '`post` needs a block' },
      ]),
    );
  });

  it('E204 / E205: an unknown option and a repeated option', () => {
    const text = imageWith('  post {\n    touch /a mod 0600\n    mkdir /b mode 0700 mode 0755\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E204', at: at(text, 'mod '), message: 'unknown option `mod` for `touch`', hint: 'did you mean `mode`?' },
        { code: 'E205', at: at(text, 'mode', 2), message: '`mode` is given twice' },
      ]),
    );
  });

  it('E208 / E209: missing and extra arguments, with usage', () => {
    const text = imageWith('  post {\n    symlink /a\n    timestamp /b /c\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E208', at: at(text, 'symlink'), message: '`symlink` needs `PATH -> TARGET`', hint: 'usage: symlink' },
        { code: 'E209', at: at(text, '/c'), message: 'this one is extra', hint: 'usage: timestamp PATH' },
      ]),
    );
  });

  it('E211: a value outside a fixed set, with did-you-mean', () => {
    const text = imageWith('  package-manager mircodnf\n  weak-deps maybe');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E211', at: at(text, 'mircodnf'), message: 'is not a valid `package-manager`', hint: 'did you mean `microdnf`?' },
        { code: 'E211', at: at(text, 'maybe'), message: 'is not on or off' },
      ]),
    );
  });

  it('E212: `when` at the top level of a file', () => {
    const text = 'when release = 9 {\n  image t {\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E212', at: at(text, 'when'), message: '`when` cannot be used at the top level' }]));
  });
});

describe('references between declarations', () => {
  it('E230: an unknown parent, with did-you-mean', () => {
    const text = 'image base {\n  install dnf\n}\nimage t extends bsae {\n  releases [9]\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E230', at: at(text, 'bsae'), message: 'unknown parent image `bsae`', hint: 'did you mean `base`?' }]));
  });

  it('E230: a fragment named as a parent, with the fix', () => {
    const text = 'fragment common {\n  install dnf\n}\nimage t extends common {\n  releases [9]\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E230', at: at(text, 'common', 2), message: 'unknown parent image `common`', hint: 'write `use common`' }]));
  });

  it('E231: an unknown fragment, with did-you-mean', () => {
    const text = `fragment defaults {\n  weak-deps off\n}\n${imageWith('  use defualts')}`;
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E231', at: at(text, 'defualts'), message: 'unknown fragment `defualts`', hint: 'did you mean `defaults`?' }]));
  });

  it('E233: a cycle in `extends`, reported once with its path', () => {
    const text = 'image a extends c {\n  releases [9]\n  install dnf\n}\nimage b extends a {\n}\nimage c extends b {\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E233', at: at(text, 'a extends'), message: '`extends` forms a cycle: a → c → b → a' }]));
  });

  it('E233: an image that extends itself', () => {
    const text = 'image a extends a {\n  releases [9]\n  install dnf\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E233', at: at(text, 'a extends'), message: 'a → a' }]));
  });

  it('E234: a cycle in `use`, also through a `when` branch', () => {
    const text = `fragment f {\n  when release = 9 {\n    use g\n  }\n}\nfragment g {\n  use f\n}\n${imageWith('  use f')}`;
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E234', at: at(text, 'f {'), message: '`use` forms a cycle: f → g → f' }]));
  });

  it('E220: duplicate image names, pointing at the first declaration', () => {
    const text = `${imageWith('')}${imageWith('')}`;
    const c = compileInline(text);
    expect(reported(c)).toEqual(diagnostics([{ code: 'E220', at: at(text, 't', 3), message: 'duplicate image or fragment name `t`' }]));
    expect(c.diagnostics[0]!.related?.map((r) => `${r.span.line}:${r.span.col}`)).toEqual(['1:7']);
  });

  it('E220: an image and a fragment share one namespace, across files', () => {
    const c = compileInline(imageWith(''), { 'definitions/fragments/t.alma': 'fragment t {\n}\n' });
    expect(reported(c)).toEqual(diagnostics([{ code: 'E220', at: 'test.alma:1:7', message: 'duplicate image or fragment name `t`' }]));
    expect(c.diagnostics[0]!.related?.[0]?.span.file).toBe('definitions/fragments/t.alma');
  });
});

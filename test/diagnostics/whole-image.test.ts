// Checks on a resolved image (E4xx): they see the result of inheritance, fragments and release
// conditions, so they name the image and release they apply to.
import { describe, expect, it } from 'vitest';
import { at, compileInline, diagnostics, imageWith, reported } from '../helpers/inline.js';

describe('package conflicts', () => {
  it('E401: a package both installed and removed, pointing at both places', () => {
    const text = imageWith('  install bash\n  remove bash');
    const c = compileInline(text);
    expect(reported(c)).toEqual(diagnostics([{ code: 'E401', at: at(text, 'bash', 2), message: '9/t: `bash` is both installed and removed', hint: 'omit bash' }]));
    expect(c.diagnostics[0]!.related?.map((r) => `${r.span.line}:${r.span.col}`)).toEqual([at(text, 'bash').split(':').slice(1).join(':')]);
  });

  it('E401: a package installed by a parent and excluded by the child, only in the release where both apply', () => {
    const text = 'image base {\n  install [dnf, vim-minimal]\n}\nimage t extends base {\n  releases [9, 10]\n  when release >= 10 {\n    exclude vim-minimal\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E401', at: at(text, 'vim-minimal', 2), message: '10/t: `vim-minimal` is both installed and excluded' }]));
  });

  it('E401: the conflict can come from a fragment', () => {
    const text = `fragment slim {\n  remove dnf\n}\n${imageWith('  use slim')}`;
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E401', at: at(text, 'dnf'), message: '`dnf` is both installed and removed' }]));
  });

  it('E402: `omit` of a package nobody installs', () => {
    const text = 'image base {\n  install [dnf, bash]\n}\nimage t extends base {\n  releases [9]\n  omit bahs\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E402', at: at(text, 'bahs'), message: '9/t: `omit bahs` has nothing to omit' }]));
  });
});

describe('package manager limits', () => {
  const minimal = (body: string) => `image t {\n  releases [9]\n  package-manager microdnf\n  install microdnf\n${body}\n}\n`;

  it('E403: microdnf cannot install groups', () => {
    const text = minimal('  install @core');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E403', at: at(text, '@core'), message: '9/t: microdnf cannot install groups such as `@core`', hint: 'package-manager dnf' }]));
  });

  it('E404: microdnf has no --allowerasing and no config-manager', () => {
    const text = minimal('  post {\n    install allow-erasing git\n    enable-repos matching [crb]\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E404', at: at(text, 'install allow-erasing'), message: '`allow-erasing` is not supported by microdnf' },
        { code: 'E404', at: at(text, 'enable-repos'), message: '`enable-repos` (dnf config-manager) is not supported by microdnf' },
      ]),
    );
  });

  it('E405: the package manager is not installed', () => {
    const text = 'image t {\n  releases [9]\n  package-manager microdnf\n  install bash\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E405', at: at(text, 'package-manager'), message: 'the package manager is microdnf, but `microdnf` is not installed', hint: 'install microdnf' }]));
  });

  it('no E405 for an image without a package manager', () => {
    expect(reported(compileInline('image t {\n  releases [9]\n  package-manager none\n  install bash\n}\n'))).toEqual([]);
  });
});

describe('other whole-image checks', () => {
  it('E406: a platform the release does not build', () => {
    const text = imageWith('  releases [9, 10]\n  platforms [linux/amd64, linux/386]');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E406', at: at(text, 'linux/386'), message: '10/t: platform `linux/386` is not built for release 10' }]));
  });

  it('E408: an image that installs nothing', () => {
    const text = 'image t {\n  releases [9]\n  package-manager none\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E408', at: at(text, 't {'), message: '9/t: installs no packages' }]));
  });

  it('E409: a step inside the image cannot depend on the platform', () => {
    const text = imageWith('  post {\n    when platform = linux/386 {\n      mask getty.target\n    }\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E409', at: at(text, 'mask'), message: 'cannot depend on the platform' }]));
  });

  it('E411: a repository without a URL for a release', () => {
    const text = `repository r {\n  when release = 9 {\n    baseurl "https://example.org/9/"\n  }\n}\n${imageWith('  releases [9, 10]')}`;
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E411', at: at(text, 'r {'), message: 'repository `r` has neither a baseurl nor a mirrorlist for release 10' }]));
  });

  it('waits with whole-image checks until the declarations are free of errors', () => {
    // `instal` is misspelt; that the image then "installs no packages" would only repeat it.
    const text = 'image t {\n  releases [9]\n  instal [dnf, bash]\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E201', at: at(text, 'instal'), message: 'unknown image statement `instal`', hint: 'did you mean `install`?' }]));
  });
});

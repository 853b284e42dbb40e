// Every file generated from the real definitions, read back by independent parsers: each
// Containerfile RUN and each kickstart %post is valid shell whose only command substitution is the
// one almac writes on purpose (enable-repos asks the builder's dnf for repository ids), and each
// kickstart has exactly the sections almac writes, as pykickstart splits its lines.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import { definitionSources } from '../helpers/project.js';
import { parseContainerfile, parseKickstart, parseShell, pythonLines } from './oracles.js';

const c = compileSources('/real', definitionSources());
const outputs = [...(c.outputs ?? new Map<string, string>())];
const containerfiles = outputs.filter(([p]) => p.startsWith('containerfiles/'));
const kickstarts = outputs.filter(([p]) => p.endsWith('.ks'));

const checked = new Set<string>();

/** Command substitutions are allowed only in the line that collects repository ids for enable-repos. */
function checkScript(src: string): void {
  // Fragments make many scripts identical across images; each distinct one is parsed once.
  if (checked.has(src)) return;
  checked.add(src);
  const script = parseShell(src);
  const substituting = script.commands.filter((cmd) => cmd.args.some((w) => w.dynamic.length));
  for (const cmd of substituting) expect(cmd.args[0]!.value).toMatch(/^repos=<CmdSubst>$/);
  expect(script.substitutions.every((s) => s === 'CmdSubst')).toBe(true);
}

describe('generated Containerfiles', () => {
  it('the real definitions compile', () => {
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(containerfiles.length).toBeGreaterThan(0);
  });

  it.each(containerfiles)('%s: known instructions, every RUN valid shell', (_, text) => {
    const instructions = parseContainerfile(text);
    for (const i of instructions) expect(['ARG', 'FROM', 'RUN', 'COPY', 'ENV', 'LABEL', 'CMD', 'ENTRYPOINT', 'STOPSIGNAL', 'USER', 'WORKDIR']).toContain(i.keyword);
    for (const i of instructions.filter((x) => x.keyword === 'RUN')) checkScript(i.raw);
    for (const i of instructions.filter((x) => x.keyword === 'ENV' || x.keyword === 'LABEL')) expect(i.properties.some((p) => p.unescapedDollar)).toBe(false);
  });
});

describe('generated kickstarts', () => {
  it.each(kickstarts)('%s: exactly the sections almac writes, every %%post valid shell', (_, text) => {
    const ks = parseKickstart(text);
    const headers = ks.sectionLines.filter((l) => l !== '%end');
    expect(headers[0]).toMatch(/^%packages( --[A-Za-z-]+(=[A-Za-z0-9_.:-]+)?)*$/);
    expect(headers.slice(1).every((h) => h === '%post --nochroot --erroronfail' || h === '%post --erroronfail')).toBe(true);
    expect(ks.sectionLines.filter((l) => l === '%end').length).toBe(headers.length);
    // pykickstart sees the same lines as everyone else: no line breaks but \n.
    expect(pythonLines(text).length).toBe(text.split('\n').length);
    for (const post of ks.posts) checkScript(post);
  });
});

// The fast path of the command line (src/cli/simple-argv.ts) against yargs itself, on random
// command lines: whenever the fast path accepts a line, yargs must choose the same verb with the
// same option values; lines the fast path declines go to yargs, so they need no comparison.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GLOBAL_OPTIONS, yargsCommandLine } from '../../src/cli/main.js';
import { VERBS } from '../../src/cli/registry.js';
import { parseSimpleCommandLine } from '../../src/cli/simple-argv.js';

const VERB_TOKENS = ['check', 'generate', 'list', 'print', 'lock', 'fmt', '--json', 'x'];
const TOKENS = ['9/minimal', '--json', '--quiet', '-q', '-Q', '--root', '/srv/project', '--root=/srv/other', '--root=', '--no-json', '--json=false', '--bogus', '-x', '--help', '-h', '--version', '--', '-', 'x', '--release', '9', '--check', '-r'];
/** Mostly a verb first, as people type them, then anything. */
const commandLine = fc.tuple(fc.constantFrom(...VERB_TOKENS), fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 })).map(([v, rest]) => [v, ...rest]);

/** The option values a verb receives, as the keys of the verb's and the global options. */
function optionValues(args: Record<string, unknown>): Record<string, unknown> {
  const keys = ['root', 'json', 'quiet', 'q', 'release', 'r', 'check'];
  return Object.fromEntries(keys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));
}

describe('the fast command-line path agrees with yargs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('on every line it accepts, yargs picks the same verb and option values', async () => {
    // yargs prints help and usage errors for the lines it answers itself; keep the output quiet.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(commandLine, async (argv) => {
        const simple = parseSimpleCommandLine(argv, VERBS, GLOBAL_OPTIONS);
        if (!simple) return;
        accepted++;
        const full = await yargsCommandLine(argv);
        expect('verb' in full ? full.verb.command : full).toBe(simple.verb.command);
        if ('verb' in full) expect(optionValues(simple.args)).toEqual(optionValues(full.args));
      }),
      { numRuns: 400, seed: 20240611 },
    );
    // The comparison ran on a fair share of lines, not only on the ones the fast path declines.
    expect(accepted).toBeGreaterThan(20);
  });

  it.each([
    [['check'], { json: false, quiet: false, q: false }],
    [['generate', '-q', '--root', '/p'], { root: '/p', json: false, quiet: true, q: true }],
    [['check', '--root=/p', '--json'], { root: '/p', json: true, quiet: false, q: false }],
  ])('%j is taken by the fast path', (argv, values) => {
    expect(optionValues(parseSimpleCommandLine(argv, VERBS, GLOBAL_OPTIONS)!.args)).toEqual(values);
  });

  it.each([[['check', '--help']], [['--version']], [['check', '--no-json']], [['check', '--json=false']], [['check', '-q', '-q']], [['print', '9/minimal']], [['check', '--bogus']], [['check', '--root']]])(
    '%j is left to yargs',
    (argv) => {
      expect(parseSimpleCommandLine(argv, VERBS, GLOBAL_OPTIONS)).toBeUndefined();
    },
  );
});

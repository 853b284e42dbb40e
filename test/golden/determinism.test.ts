// Generated output depends on the content of the definitions only: not on run, input order, file
// names or locations, time zone or locale.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import { definitionSources, definitionsOnlyProject, readFiles, runCli } from '../helpers/project.js';

const sources = definitionSources();
const compile = (s: Map<string, string>) => {
  const c = compileSources('/project', s);
  if (!c.outputs) throw new Error(`definitions do not compile: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  return c.outputs;
};
const reference = compile(sources);

/** Outputs as a sorted list of [path, text], so that Map insertion order does not matter. */
const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

describe('the same definitions always give the same output', () => {
  it('two runs are byte-identical', () => {
    expect(sorted(compile(new Map(sources)))).toEqual(sorted(reference));
  });

  it('the order in which files are read does not matter', () => {
    const entries = [...sources];
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }), (shuffled) => {
        expect(sorted(compile(new Map(shuffled)))).toEqual(sorted(reference));
      }),
      { numRuns: 8, seed: 20240611 },
    );
  });

  it('renaming files and moving them into other folders changes only the paths the output cites', () => {
    // Reversed names and a different nesting reverse the order in which the files sort.
    const moves = new Map([...sources.keys()].map((p, i) => [p, `definitions/${String(99 - i).padStart(2, '0')}/moved/${p.split('/').pop()!.replace('.alma', `-${i}.alma`)}`]));
    const moved = compile(new Map([...sources].map(([p, t]) => [moves.get(p)!, t])));
    const cite = (text: string) => [...moves].reduce((t, [from, to]) => t.split(from).join(to), text);
    expect(sorted(moved)).toEqual(sorted(reference).map(([p, t]) => [p, cite(t)]));
    // The renaming did reach the output, so the comparison above compared something.
    expect([...moved.values()].some((t) => t.includes('/moved/'))).toBe(true);
  });
});

describe.concurrent('the environment does not leak into generated files', () => {
  const environments: Record<string, Record<string, string>> = {
    'UTC, C locale': { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' },
    'a far time zone and the Turkish locale (dotted/dotless i)': { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
    'a negative UTC offset and a German locale': { TZ: 'America/St_Johns', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', LC_COLLATE: 'de_DE.UTF-8' },
  };
  for (const [name, env] of Object.entries(environments)) {
    it(`almac generate under ${name} writes the same tree`, async ({ expect }) => {
      const root = definitionsOnlyProject();
      const r = await runCli(['generate', '--root', root, '--quiet'], { env });
      expect(r.code).toBe(0);
      expect(sorted(readFiles(join(root, 'generated')))).toEqual(sorted(reference));
    });
  }
});

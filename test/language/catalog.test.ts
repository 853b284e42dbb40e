// The catalog of diagnostic codes: complete (every code the sources can emit is in it), not stale,
// its examples report their code, grammar/diagnostics.md is generated from it, and `almac explain`
// serves it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, catalogMarkdown } from '../../src/diagnostics/catalog.js';
import { compileInline } from '../helpers/inline.js';
import { REPO_ROOT, runCli } from '../helpers/project.js';

/** Every `'E123'`/`"W123"` literal in src/, with the file that holds it. */
function codesInSources(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith(join('diagnostics', 'catalog.ts'))) {
        for (const m of readFileSync(p, 'utf8').matchAll(/['"`]([EW]\d{3})['"`]/g)) if (!out.has(m[1]!)) out.set(m[1]!, p.slice(REPO_ROOT.length));
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  return out;
}

describe('the diagnostic catalog', () => {
  const catalogued = new Set(CATALOG.map((e) => e.code));

  it('has an entry for every code the compiler can emit', () => {
    const used = codesInSources();
    expect(used.size).toBeGreaterThan(60);
    const missing = [...used].filter(([c]) => !catalogued.has(c)).map(([c, f]) => `${c} (${f})`);
    expect(missing).toEqual([]);
  });

  it('has no entry for a code nothing emits, and each code once', () => {
    const used = codesInSources();
    expect(CATALOG.map((e) => e.code).filter((c) => !used.has(c))).toEqual([]);
    expect(catalogued.size).toBe(CATALOG.length);
    expect(CATALOG.map((e) => e.code)).toEqual([...CATALOG.map((e) => e.code)].sort());
  });

  for (const e of CATALOG.filter((x) => x.verify !== false)) {
    it(`${e.code}'s example reports ${e.code}`, () => {
      const c = compileInline(e.example + '\n');
      expect(c.diagnostics.map((d) => d.code)).toContain(e.code);
    });
  }

  it('grammar/diagnostics.md is generated from it (npm run docs:diagnostics)', () => {
    expect(readFileSync(join(REPO_ROOT, 'grammar', 'diagnostics.md'), 'utf8')).toBe(catalogMarkdown());
  });

  it('almac explain E401 prints its entry; an unknown code is a usage error with a suggestion', async () => {
    const r = await runCli(['explain', 'E401']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^E401: a package both installed and removed or excluded\n\nExample:\n\n {4}image app \{\n/);
    expect(r.stdout).toContain('\nFix: ');
    const j = await runCli(['explain', 'e442', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ code: 'E442' });
    const bad = await runCli(['explain', 'E4O1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean E401?');
  });
});

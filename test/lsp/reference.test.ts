// Hover text comes from the language reference (grammar/README.md): every statement the analyzer
// accepts in any block, and every condition keyword, has an entry, so the reference and the editor
// say the same thing and a new statement without documentation fails here.
import { describe, expect, it } from 'vitest';
import { STATEMENTS } from '../../src/lsp/completion.js';
import { languageReference, parseReference } from '../../src/lsp/reference.js';

describe('language reference for hover', () => {
  it('documents every statement of every block, and the condition keywords', () => {
    const ref = languageReference();
    const all = new Set([...Object.values(STATEMENTS).flat(), 'when', 'else', 'and', 'or', 'not', 'in']);
    expect([...all].filter((k) => !ref.has(k))).toEqual([]);
  });

  it('prefers the most specific entry: a table row, then the section about the name', () => {
    const ref = languageReference();
    expect(ref.get('symlink')![0]!.markdown).toContain('symlink PATH -> TARGET');
    expect(ref.get('install')!.slice(0, 2).map((e) => e.section)).toEqual(['Post-install operations', 'Packages']);
    expect(ref.get('when')![0]!.section).toBe('Conditions');
    expect(ref.get('basearch')![0]!.section).toBe('`platform`');
  });

  it('reads rows, headed sections and examples', () => {
    const r = parseReference('## Things\n\n### `thing`\n\n```alma\nthing x {\n  part 1\n}\n```\n\nA thing.\n\n| Op | Effect |\n| --- | --- |\n| `poke PATH` | pokes it |\n');
    expect(r.get('poke')![0]!.markdown).toBe('```alma\npoke PATH\n```\npokes it');
    expect(r.get('thing')![0]!.markdown).toContain('A thing.');
    expect(r.get('part')![0]!.section).toBe('`thing`');
  });
});

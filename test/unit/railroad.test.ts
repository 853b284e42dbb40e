// grammar/railroad.html is drawn from the parser's rules; it must be redrawn when they change.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { getParser } from '../../src/phases/1-parse/parser.js';
import { RAILROAD_FILE, railroadHtml } from '../../scripts/railroad.mjs';

it('grammar/railroad.html is up to date with the parser (run `npm run railroad`)', () => {
  expect(readFileSync(RAILROAD_FILE, 'utf8')).toBe(railroadHtml(getParser()));
});

it('draws every rule of the grammar', () => {
  const html = readFileSync(RAILROAD_FILE, 'utf8');
  const rules = Object.keys(getParser().getGAstProductions());
  expect(rules).toEqual(expect.arrayContaining(['file', 'statement', 'block', 'list', 'whenBlock', 'condition', 'comparison']));
  for (const name of rules) expect(html).toContain(`"type": "Rule",\n    "name": "${name}"`);
});

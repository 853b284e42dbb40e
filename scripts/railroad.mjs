// Draws the .alma grammar as railroad diagrams, straight from the parser's own rules, into
// grammar/railroad.html. The parser is the compiled one, so run `npx tsc -p .` first:
//
//   npm run railroad
//
// A test compares the committed file with what this produces from the current sources.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';

export const RAILROAD_FILE = fileURLToPath(new URL('../grammar/railroad.html', import.meta.url));

/**
 * The HTML page for a Chevrotain parser instance. The page loads Chevrotain's diagram renderer
 * (pinned to the installed version) when opened; the grammar itself is embedded.
 * @param {{ getSerializedGastProductions(): import('chevrotain').ISerializedGast[] }} parser
 * @returns {string}
 */
export function railroadHtml(parser) {
  return createSyntaxDiagramsCode(parser.getSerializedGastProductions());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { getParser } = await import('../dist/phases/1-parse/parser.js');
  writeFileSync(RAILROAD_FILE, railroadHtml(getParser()));
  process.stdout.write(`wrote ${RAILROAD_FILE}\n`);
}

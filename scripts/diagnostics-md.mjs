// Writes grammar/diagnostics.md from the catalog in src/diagnostics/catalog.ts (via dist/).
import { writeFileSync } from 'node:fs';
import { catalogMarkdown } from '../dist/diagnostics/catalog.js';

writeFileSync(new URL('../grammar/diagnostics.md', import.meta.url), catalogMarkdown());

// `almac explain CODE`: the catalog entry of a diagnostic code (like `rustc --explain`).
import { CATALOG, catalogEntry, explainText } from '../../diagnostics/catalog.js';
import { closest } from '../../util/suggest.js';
import { EXIT, printJson } from '../io.js';

export function runExplain(o: { code: string; json: boolean }): number {
  const e = catalogEntry(o.code.trim());
  if (!e) {
    const near = closest(o.code.toUpperCase(), CATALOG.map((x) => x.code));
    process.stderr.write(`error: no diagnostic code \`${o.code}\`${near ? `; did you mean ${near}?` : ''} (codes are listed in grammar/diagnostics.md)\n`);
    return EXIT.usage;
  }
  if (o.json) printJson({ code: e.code, title: e.title, example: e.example, fix: e.fix });
  else process.stdout.write(explainText(e));
  return EXIT.ok;
}

// The first step of every command that works on some of the images: compile the project (no
// rendering) and pick the images the selectors name. Diagnostics and unknown selectors are printed
// here, once, the same way for every command.
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { ImageSpec } from '../model/spec.js';
import { compileProject, type Compilation } from '../project.js';
import { selectImages, suggestSelector } from '../select.js';
import { EXIT, diagnosticsJson, printDiagnostics, printJson } from './io.js';

export interface Selection {
  compilation: Compilation;
  images: ImageSpec[];
  selected: ImageSpec[];
}

/**
 * A number is the exit code of a command that ends here: `EXIT.failed` for errors in the
 * definitions, `EXIT.usage` for a selector (or an image id in `alsoNamed`) that matches nothing.
 */
export function compileSelected(root: string, selectors: string[], o: { json: boolean; alsoNamed?: string[]; err?: (text: string) => void }): number | Selection {
  const c = compileProject(root, { render: false });
  if (hasErrors(c.diagnostics)) {
    if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
    else printDiagnostics(c.diagnostics, c.sources);
    return EXIT.failed;
  }
  const { selected, unknown } = selectImages(c.images, selectors);
  for (const id of o.alsoNamed ?? []) if (!c.images.some((s) => s.id === id)) unknown.push(id);
  if (unknown.length) {
    (o.err ?? ((t: string) => process.stderr.write(t)))(unknown.map((u) => `error: no image matches \`${u}\`; ${suggestSelector(c.images, u)}\n`).join(''));
    return EXIT.usage;
  }
  return { compilation: c, images: c.images, selected };
}

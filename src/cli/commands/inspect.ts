// `almac print` (the fully resolved image, like `docker buildx bake --print`) and `almac list`.
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { compileProject } from '../../project.js';
import { selectImages, suggestSelector } from '../../select.js';
import { describeImage } from './print-text.js';
import { EXIT, diagnosticsJson, printDiagnostics, printJson } from '../io.js';

export { selectImages, suggestSelector } from '../../select.js';

export function runPrint(o: { root: string; image: string; release?: string; json: boolean }): number {
  const c = compileProject(o.root, { render: false });
  if (hasErrors(c.diagnostics)) {
    if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
    else printDiagnostics(c.diagnostics, c.sources);
    return EXIT.failed;
  }
  const sel = o.release && !o.image.includes('/') ? `${o.release}/${o.image}` : o.image;
  const { selected } = selectImages(c.images, [sel]);
  const matches = o.release ? selected.filter((s) => s.release === o.release) : selected;
  if (!matches.length) {
    process.stderr.write(`error: no image matches \`${sel}\`; ${suggestSelector(c.images, sel)}\n`);
    return EXIT.usage;
  }
  if (o.json) printJson(matches.length === 1 ? matches[0] : matches);
  else process.stdout.write(matches.map(describeImage).join('\n\n') + '\n');
  return EXIT.ok;
}

export function runList(o: { root: string; json: boolean }): number {
  const c = compileProject(o.root, { render: false });
  if (hasErrors(c.diagnostics)) {
    if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
    else printDiagnostics(c.diagnostics, c.sources);
    return EXIT.failed;
  }
  if (o.json) {
    printJson(c.images.map((s) => ({ id: s.id, release: s.release, image: s.image, repository: s.naming.repository, tags: s.naming.tags, platforms: s.platforms.map((p) => p.name), outputs: s.outputs })));
    return EXIT.ok;
  }
  const rows = c.images.map((s) => [s.id, s.naming.repository, `generated/${s.outputs.containerfile}`, `generated/${s.outputs.kickstart}`]);
  const head = ['IMAGE', 'REPOSITORY', 'CONTAINERFILE', 'KICKSTART'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
  process.stdout.write([fmt(head), ...rows.map(fmt)].join('\n') + '\n');
  if (c.abstract.length) process.stdout.write(`\nabstract (no releases, used as parents): ${c.abstract.join(', ')}\n`);
  return EXIT.ok;
}

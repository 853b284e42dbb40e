// `almac print` (the fully resolved image, like `docker buildx bake --print`) and `almac list`.
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { compileProject } from '../../project.js';
import { selectImages, suggestSelector } from '../../select.js';
import { references, runDate } from '../../publish/references.js';
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
  const date = runDate().date;
  if (o.json) {
    const withRefs = matches.map((s) => ({ ...s, references: references(s, date) }));
    printJson(withRefs.length === 1 ? withRefs[0] : withRefs);
  } else process.stdout.write(matches.map((s) => describeImage(s, { date, references: references(s, date) })).join('\n\n') + '\n');
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
    const date = runDate().date;
    printJson(c.images.map((s) => ({ id: s.id, release: s.release, image: s.image, repository: s.naming.repository, tags: s.naming.tags, references: references(s, date), platforms: s.platforms.map((p) => p.name), outputs: s.outputs })));
    return EXIT.ok;
  }
  const rows = c.images.map((s) => [s.id, s.naming.repository, `generated/${s.outputs.containerfile}`, `generated/${s.outputs.kickstart}`, String(references(s).length)]);
  const head = ['IMAGE', 'REPOSITORY', 'CONTAINERFILE', 'KICKSTART', 'REFERENCES'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
  process.stdout.write([fmt(head), ...rows.map(fmt)].join('\n') + '\n');
  const date = runDate().date;
  process.stdout.write(`\nReferences ({date} = ${date}):\n`);
  for (const s of c.images) for (const r of references(s, date)) process.stdout.write(`  ${s.id.padEnd(w[0]!)}  ${r}\n`);
  if (c.abstract.length) process.stdout.write(`\nabstract (no releases, used as parents): ${c.abstract.join(', ')}\n`);
  return EXIT.ok;
}

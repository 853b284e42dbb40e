// `almac print` (the fully resolved image, like `docker buildx bake --print`) and `almac list`.
import { hasErrors } from '../../diagnostics/diagnostic.js';
import type { ImageSpec } from '../../model/spec.js';
import { compileProject } from '../../project.js';
import { selectImages, suggestSelector } from '../../select.js';
import { references, runDate } from '../../publish/references.js';
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
  const withRefs = matches.map((s) => ({ ...s, references: references(s, date) }));
  if (o.json) printJson(withRefs.length === 1 ? withRefs[0] : withRefs);
  else process.stdout.write(matches.map((s) => describe(s, date)).join('\n\n') + '\n');
  return EXIT.ok;
}

function describe(s: ImageSpec, date: string): string {
  const refs = references(s, date);
  const lines = [
    `${s.id}  (${s.naming.repository}; defined at ${s.source.file}:${s.source.line})`,
    s.description ? `  description: ${s.description}` : '',
    `  releasever: ${s.releasever}   version: ${s.version}   builder: ${s.builder}`,
    `  platforms: ${s.platforms.map((p) => p.name).join(', ')}`,
    `  tags: ${s.naming.tags.join(', ') || '(none)'}`,
    `  published as (${refs.length}${refs.length ? `, {date} = ${date}` : ''}):${refs.length ? '' : ' nowhere'}`,
    ...refs.map((r) => `    ${r}`),
    `  package manager: ${s.packageManager}${s.ubi ? `   ubi: ${s.ubi}` : ''}   weak deps: ${s.weakDeps ? 'on' : 'off'}   docs: ${s.docs ? 'on' : 'off'}`,
    `  install (${s.packages.install.length}): ${s.packages.install.join(' ')}`,
    s.packages.exclude.length ? `  exclude: ${s.packages.exclude.join(' ')}` : '',
    s.packages.reinstall.length ? `  reinstall: ${s.packages.reinstall.join(' ')}${s.packages.reinstallLangs ? ` (langs ${s.packages.reinstallLangs})` : ''}` : '',
    s.packages.remove.length ? `  remove: ${s.packages.remove.join(' ')}` : '',
    `  repositories: ${s.repositories.map((r) => r.id).join(', ') || '(builder\'s)'}`,
    `  steps (${s.steps.length} on the builder, ${s.insideSteps.length} inside the image):`,
    ...[...s.steps, ...s.insideSteps].map((st) => `    ${st.operation.op.padEnd(18)} ${summarise(st.operation)}${st.when ? `   [only on ${st.when.platforms.join(', ')}]` : ''}   (${st.origin.file}:${st.origin.line})`),
    `  config: ${[s.config.cmd ? `CMD ${JSON.stringify(s.config.cmd)}` : '', ...s.config.env.map(([k, v]) => `ENV ${k}=${v}`), ...s.config.labels.map(([k, v]) => `LABEL ${k}=${v}`), s.config.stopsignal ? `STOPSIGNAL ${s.config.stopsignal}` : ''].filter(Boolean).join('; ')}`,
    s.assertions.length ? `  assertions: ${s.assertions.map((a) => a.name).join('; ')}` : '',
  ];
  return lines.filter(Boolean).join('\n');
}

function summarise(op: ImageSpec['steps'][number]['operation']): string {
  const o = op as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'op' || v === undefined) continue;
    parts.push(Array.isArray(v) ? (typeof v[0] === 'object' ? `${v.length} rules` : v.join(' ')) : typeof v === 'string' ? JSON.stringify(v).slice(0, 60) : `${k}=${String(v)}`);
  }
  return parts.join(' ');
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

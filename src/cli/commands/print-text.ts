// `almac print`'s text form: every field of the resolved image, every value in full. Multi-line
// values (file contents, scripts) are printed as indented blocks, never cut off.
import type { ImageSpec, Operation } from '../../model/spec.js';

const INDENT = '        ';

/** A value on one line when it is one, else `|` and its lines indented below (as YAML does). */
function value(v: string): string {
  if (!/[\n\r]/.test(v)) return JSON.stringify(v);
  return '|\n' + v.replace(/\n$/, '').split('\n').map((l) => INDENT + l).join('\n');
}

export function summariseOperation(op: Operation): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(op as unknown as Record<string, unknown>)) {
    if (k === 'op' || v === undefined || v === false) continue;
    if (Array.isArray(v)) {
      if (v.length && typeof v[0] === 'object') parts.push(...(v as { pattern: string; replacement: string }[]).map((r) => `rule ${JSON.stringify(r.pattern)} -> ${JSON.stringify(r.replacement)}`));
      else parts.push(k === 'paths' || k === 'packages' || k === 'units' || k === 'configs' || k === 'sources' ? (v as string[]).join(' ') : `${k} [${(v as string[]).join(', ')}]`);
    } else if (v === true) parts.push(k);
    else if (k === 'path' || k === 'dest' || k === 'target' || k === 'name') parts.push(String(v));
    else parts.push(`${k} ${typeof v === 'string' ? value(v) : String(v)}`);
  }
  return parts.join(' ');
}

function configLines(s: ImageSpec): string[] {
  const c = s.config;
  const out: string[] = [];
  if (c.entrypoint) out.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) out.push(`CMD ${JSON.stringify(c.cmd)}`);
  for (const [k, v] of c.env) out.push(`ENV ${k}=${value(v)}`);
  for (const [k, v] of c.labels) out.push(`LABEL ${k}=${value(v)}`);
  if (c.stopsignal) out.push(`STOPSIGNAL ${c.stopsignal}`);
  if (c.user) out.push(`USER ${c.user}`);
  if (c.workdir) out.push(`WORKDIR ${c.workdir}`);
  return out.length ? out.map((l) => `    ${l}`) : ['    (none)'];
}

export function describeImage(s: ImageSpec, published?: { date: string; references: string[] }): string {
  const refs = published?.references ?? [];
  const steps = [...s.steps, ...s.insideSteps];
  const lines = [
    `${s.id}  (${s.naming.repository}; defined at ${s.source.file}:${s.source.line})`,
    s.description ? `  description: ${s.description}` : '',
    `  releasever: ${s.releasever}   version: ${s.version}   builder: ${s.builder}`,
    `  platforms: ${s.platforms.map((p) => p.name).join(', ')}`,
    `  tags: ${s.naming.tags.join(', ') || '(none)'}`,
    ...(published ? [`  published as (${refs.length}${refs.length ? `, {date} = ${published.date}` : ''}):${refs.length ? '' : ' nowhere'}`, ...refs.map((r) => `    ${r}`)] : []),
    `  package manager: ${s.packageManager}${s.ubi ? `   ubi: ${s.ubi}` : ''}   weak deps: ${s.weakDeps ? 'on' : 'off'}   docs: ${s.docs ? 'on' : 'off'}${s.installLangs ? `   install langs: ${s.installLangs.join(' ')}` : ''}   clean after install: ${s.cleanAfterInstall ? 'yes' : 'no'}`,
    `  install (${s.packages.install.length}): ${s.packages.install.join(' ')}`,
    s.packages.exclude.length ? `  exclude: ${s.packages.exclude.join(' ')}` : '',
    s.packages.reinstall.length ? `  reinstall: ${s.packages.reinstall.join(' ')}${s.packages.reinstallLangs ? ` (langs ${s.packages.reinstallLangs})` : ''}` : '',
    s.packages.remove.length ? `  remove: ${s.packages.remove.join(' ')}` : '',
    `  repositories: ${s.repositories.map((r) => r.id).join(', ') || "(builder's)"}`,
    `  kickstart: ${Object.entries(s.kickstart).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('   ')}`,
    `  steps (${s.steps.length} on the builder, ${s.insideSteps.length} inside the image):`,
    ...steps.map((st) => {
      // The location stays on the step's first line; a multi-line value follows it in full.
      const [head, ...block] = summariseOperation(st.operation).split('\n');
      return [`    ${st.operation.op.padEnd(18)} ${head}${st.when ? `   [only on ${st.when.platforms.join(', ')}]` : ''}   (${st.group}, ${st.origin.file}:${st.origin.line})`, ...block].join('\n');
    }),
    '  config:',
    ...configLines(s),
    `  assertions (${s.assertions.length}):`,
    ...s.assertions.map((a) => `    ${a.assertion.kind === 'command-output' ? `${a.name} matches ${JSON.stringify(a.assertion.matches)}` : a.name}   (${a.origin.file}:${a.origin.line})`),
    `  outputs: generated/${s.outputs.containerfile}, generated/${s.outputs.kickstart}`,
  ];
  return lines.filter(Boolean).join('\n');
}

// Hover text: for an image, what it resolves to in each release (phase 3's result); for a
// fragment, where it is used; for a release, platform or repository, its declaration; for a
// keyword or operation, the language reference's entry.
import type { Span } from '../diagnostics/diagnostic.js';
import type { ImageSpec, Operation } from '../model/spec.js';
import { lex } from '../phases/1-parse/tokens.js';
import { languageReference } from './reference.js';
import type { Occurrence } from './symbols.js';
import type { Workspace } from './workspace.js';

const MAX_LIST = 12;
const list = (xs: string[]) => (xs.length > MAX_LIST ? [...xs.slice(0, MAX_LIST), `… ${xs.length - MAX_LIST} more`] : xs).map((x) => `\`${x}\``).join(', ');
const where = (s: Span) => `${s.file}:${s.line}`;

export function hoverText(ws: Workspace, path: string, text: string, offset: number): { markdown: string; span?: Span } | undefined {
  const o = ws.index.at(path, offset);
  if (o) return { markdown: symbolHover(ws, o), span: o.span };
  const word = wordAt(text, offset);
  if (!word) return undefined;
  // A name can mean two things (`install` in a body and in `post`): the two most specific entries.
  const entries = (languageReference().get(word.text) ?? []).slice(0, 2);
  if (!entries.length) return undefined;
  return { markdown: entries.map((e) => `${e.markdown}\n\n*Language reference: ${e.section.replace(/`/g, '')}*`).join('\n\n---\n\n') };
}

function symbolHover(ws: Workspace, o: Occurrence): string {
  const decls = ws.index.declarations(o.kind, o.name);
  const decl = decls[0];
  const head = `**${decl?.kind ?? o.kind} ${o.name}**${decl ? ` — ${where(decl.span)}` : ' — not declared'}`;
  if (decl?.kind === 'image') return `${head}\n\n${imageSummary(ws, o.name)}`;
  if (decl?.kind === 'fragment') {
    const uses = ws.index.sameSymbol(o).filter((x) => !x.declaration);
    if (!uses.length) return `${head}\n\nNot used by any image or fragment.`;
    return `${head}\n\nUsed ${uses.length === 1 ? 'once' : `${uses.length} times`}:\n\n${uses.map((u) => `- ${enclosing(ws, u)} — ${where(u.span)}`).join('\n')}`;
  }
  if (!decl?.full) return head;
  const source = ws.text(decl.full.file)?.slice(decl.full.offset, decl.full.offset + decl.full.length) ?? '';
  const lines = source.split('\n');
  return `${head}\n\n\`\`\`alma\n${lines.slice(0, 20).join('\n')}${lines.length > 20 ? '\n…' : ''}\n\`\`\``;
}

/** "image base" for a use inside `image base { … }`. */
function enclosing(ws: Workspace, u: Occurrence): string {
  const d = ws.index.inFile(u.span.file).find((x) => x.declaration && x.full && u.span.offset >= x.full.offset && u.span.offset < x.full.offset + x.full.length);
  return d ? `${d.kind} \`${d.name}\`` : 'top level';
}

export function imageSummary(ws: Workspace, name: string): string {
  const specs = ws.imagesNamed(name);
  if (ws.snapshot.abstract.has(name)) {
    const children = ws.index.all().filter((x) => !x.declaration && x.kind === 'image' && x.name === name);
    return `Abstract (no \`releases\`): generates nothing itself.${children.length ? ` Extended by ${children.map((c) => enclosing(ws, c)).join(', ')}.` : ''}`;
  }
  if (!specs.length) return 'Not resolved: the definitions have errors.';
  return specs.map(releaseSummary).join('\n\n');
}

function releaseSummary(s: ImageSpec): string {
  const out = [`**${s.id}** — ${s.packageManager}, ${s.platforms.map((p) => p.name).join(', ')}`];
  const p = s.packages;
  const pk: string[] = [`install ${p.install.length}: ${list(p.install)}`];
  if (p.exclude.length) pk.push(`exclude: ${list(p.exclude)}`);
  if (p.remove.length) pk.push(`remove: ${list(p.remove)}`);
  if (p.reinstall.length) pk.push(`reinstall: ${list(p.reinstall)}`);
  out.push(...pk.map((x) => `- ${x}`));
  const steps = [...s.steps, ...s.insideSteps];
  if (steps.length) out.push(`- steps ${steps.length}: ${summariseOps(steps.map((x) => x.operation))}`);
  const c = s.config;
  const cfg: string[] = [];
  if (c.entrypoint) cfg.push(`entrypoint ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) cfg.push(`cmd ${JSON.stringify(c.cmd)}`);
  for (const [k, v] of c.env) cfg.push(`env ${k}=${v}`);
  if (c.labels.length) cfg.push(`${c.labels.length} label${c.labels.length > 1 ? 's' : ''}`);
  if (c.stopsignal) cfg.push(`stopsignal ${c.stopsignal}`);
  if (c.user) cfg.push(`user ${c.user}`);
  if (c.workdir) cfg.push(`workdir ${c.workdir}`);
  if (cfg.length) out.push(`- config: ${cfg.join('; ')}`);
  out.push(`- tags: ${s.naming.tags.map((t) => `\`${s.naming.repository}:${t}\``).join(', ')}`);
  return out.join('\n');
}

/** "remove ×3, mkdir, symlink": operation names in order of first use, with counts. */
function summariseOps(ops: Operation[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
}

/** The word (keyword, statement name or value) at an offset, read with the compiler's lexer. */
export function wordAt(text: string, offset: number): { text: string; start: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  if (lineEnd - lineStart > 10_000) return undefined;
  const line = text.slice(lineStart, lineEnd);
  const at = offset - lineStart;
  for (const t of lex(line).tokens) {
    if (at >= t.startOffset && at <= t.startOffset + t.image.length && /^(Word|When|Else|And|Or|Not|In)$/.test(t.tokenType.name)) return { text: t.image, start: lineStart + t.startOffset };
  }
  return undefined;
}

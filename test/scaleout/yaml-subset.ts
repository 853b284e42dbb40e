// A strict parser for the subset of YAML the generated workflow is written in. Anything outside the
// subset is an error, so a workflow that parses here is unambiguous YAML with the structure read.
//
// The subset: `#` comment lines and blank lines; indentation by spaces; block mappings with plain
// keys (`key:` + nested block, or `key: value`); block sequences (`- value` or `- key: value` that
// opens a mapping); plain scalars (not starting with an indicator, without `: ` or ` #`),
// double-quoted scalars, flow sequences of plain scalars (`[a, b]`), and literal block scalars (`|`).

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

export class YamlSubsetError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

const KEY = /^([A-Za-z0-9_-]+):(?: (.*))?$/;

export function parseYamlSubset(source: string): Yaml {
  if (source.includes('\t')) throw new YamlSubsetError(source.slice(0, source.indexOf('\t')).split('\n').length, 'tabs are not allowed');
  const raw = source.split('\n');
  const lines: Line[] = [];
  raw.forEach((text, i) => {
    if (text.trim() === '' || text.trimStart().startsWith('#')) return;
    if (/\s$/.test(text)) throw new YamlSubsetError(i + 1, 'trailing whitespace');
    lines.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  let at = 0;

  /** Lines of a literal block scalar: everything more indented than `parentIndent`. */
  const literal = (parentIndent: number, afterLine: number): string => {
    const body: string[] = [];
    let i = afterLine; // index into raw (0-based) of the first content line
    let indent = -1;
    while (i < raw.length) {
      const text = raw[i]!;
      const lead = text.length - text.trimStart().length;
      if (text.trim() !== '' && lead <= parentIndent) break;
      if (text.trim() !== '' && indent < 0) indent = lead;
      body.push(text);
      i++;
    }
    while (body.length && body[body.length - 1]!.trim() === '') body.pop();
    if (indent < 0) throw new YamlSubsetError(afterLine, 'empty literal block');
    // Skip the parsed lines.
    while (at < lines.length && lines[at]!.no <= afterLine + body.length) at++;
    return body.map((l) => l.slice(indent)).join('\n') + '\n';
  };

  const scalar = (text: string, no: number): Yaml => {
    if (text.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(text)) throw new YamlSubsetError(no, `bad double-quoted scalar ${text}`);
      return JSON.parse(text) as string;
    }
    if (text.startsWith('[')) {
      if (!text.endsWith(']')) throw new YamlSubsetError(no, `unclosed flow sequence ${text}`);
      const inner = text.slice(1, -1).trim();
      return inner === '' ? [] : inner.split(',').map((x) => scalar(x.trim(), no));
    }
    if (/^[{'|>&*!%@`,?:-]/.test(text) || text.includes(': ') || text.includes(' #') || text.endsWith(':')) throw new YamlSubsetError(no, `not a plain scalar: ${text}`);
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null' || text === '~') return null;
    if (/^-?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
    return text;
  };

  /** A value after `key:` or `- `: inline, a literal block, or a nested block on the next lines. */
  const value = (inline: string | undefined, ownerIndent: number, no: number): Yaml => {
    if (inline === '|') return literal(ownerIndent, no);
    if (inline !== undefined) return scalar(inline, no);
    const next = lines[at];
    if (!next || next.indent <= ownerIndent) {
      // `- name:` under a sequence item may hold a nested sequence at the same indentation; anything else is null.
      if (next && next.indent === ownerIndent && next.text.startsWith('- ')) return block(next.indent);
      return null;
    }
    return block(next.indent);
  };

  const mapping = (indent: number, first?: { key: string; inline?: string; no: number }): { [key: string]: Yaml } => {
    const out: { [key: string]: Yaml } = {};
    const add = (key: string, inline: string | undefined, no: number) => {
      if (key in out) throw new YamlSubsetError(no, `duplicate key ${key}`);
      out[key] = value(inline, indent, no);
    };
    if (first) add(first.key, first.inline, first.no);
    while (at < lines.length && lines[at]!.indent === indent && !lines[at]!.text.startsWith('- ')) {
      const l = lines[at++]!;
      const m = KEY.exec(l.text);
      if (!m) throw new YamlSubsetError(l.no, `expected \`key:\`, found ${l.text}`);
      add(m[1]!, m[2], l.no);
    }
    return out;
  };

  const sequence = (indent: number): Yaml[] => {
    const out: Yaml[] = [];
    while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('- ')) {
      const l = lines[at++]!;
      const item = l.text.slice(2);
      const m = KEY.exec(item);
      // `- key: value` opens a mapping whose other keys are indented to line up with `key`.
      out.push(m ? mapping(indent + 2, { key: m[1]!, inline: m[2], no: l.no }) : scalar(item, l.no));
    }
    return out;
  };

  const block = (indent: number): Yaml => (lines[at]!.text.startsWith('- ') ? sequence(indent) : mapping(indent));

  if (!lines.length) return null;
  const doc = block(lines[0]!.indent);
  if (at < lines.length) throw new YamlSubsetError(lines[at]!.no, `unexpected indentation: ${lines[at]!.text}`);
  return doc;
}

// bashbrew's reading of library files (manifest/rfc2822.go): paragraphs separated by empty lines; a
// line starting with a space or tab continues the previous value (so a line of only spaces is a
// continuation, not a separator); lines whose first non-blank character is `#` are dropped; `Key:
// value` splits at the first colon; keys are case-sensitive.

export interface Field {
  key: string;
  value: string;
  line: number;
}

export interface Paragraph {
  fields: Field[];
  line: number;
}

export interface ParseProblem {
  line: number;
  message: string;
}

export function parseRfc2822(text: string): { paragraphs: Paragraph[]; problems: ParseProblem[] } {
  const paragraphs: Paragraph[] = [];
  const problems: ParseProblem[] = [];
  let cur: Paragraph | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const l = raw.replace(/\r$/, '');
    if (/^\s*#/.test(l)) return;
    if (l === '') {
      cur = undefined;
      return;
    }
    if (/^[ \t]/.test(l)) {
      const last = cur?.fields[cur.fields.length - 1];
      if (!last) problems.push({ line, message: 'a continuation line with nothing to continue' });
      else last.value = `${last.value}\n${l.trim()}`.trim();
      return;
    }
    const colon = l.indexOf(':');
    if (colon <= 0) {
      problems.push({ line, message: `expected \`Key: value\`, found \`${l}\`` });
      return;
    }
    if (!cur) paragraphs.push((cur = { fields: [], line }));
    cur.fields.push({ key: l.slice(0, colon), value: l.slice(colon + 1).trim(), line });
  });
  return { paragraphs, problems };
}

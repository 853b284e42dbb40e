// Canonical forms shared by the readers: accounts, and sed expressions read back as the literal
// text edits they perform.
import type { Atom } from './model.js';

export interface AccountFields {
  uid?: number;
  gid?: number;
  system?: boolean;
  password?: string;
  comment?: string;
  shell?: string;
  home?: string;
  createHome?: boolean;
}

/** `systemd-oom comment="…" create-home=no gid=995 …`: every given field, sorted by name. */
export function accountDetail(name: string, f: AccountFields): string {
  const fields: [string, string][] = [];
  if (f.uid !== undefined) fields.push(['uid', String(f.uid)]);
  if (f.gid !== undefined) fields.push(['gid', String(f.gid)]);
  if (f.system) fields.push(['system', 'yes']);
  if (f.password !== undefined) fields.push(['password', JSON.stringify(f.password)]);
  if (f.comment !== undefined) fields.push(['comment', JSON.stringify(f.comment)]);
  if (f.shell !== undefined) fields.push(['shell', f.shell]);
  if (f.home !== undefined) fields.push(['home', f.home]);
  if (f.createHome !== undefined) fields.push(['create-home', f.createHome ? 'yes' : 'no']);
  return [name, ...fields.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`)].join(' ');
}

/** Characters special in a sed basic regular expression (outside brackets). */
const BRE_SPECIAL = new Set(['.', '*', '[', ']', '^', '$', '\\']);

/**
 * Reads `text` up to the first unescaped `delim`, as the literal string a sed BRE or replacement
 * matches. Throws on anything that is not literal (an unescaped `.`, `&`, …): such an expression
 * would not be a plain text edit, and the comparison could not vouch for it.
 */
function readLiteral(text: string, from: number, delim: string, what: 'pattern' | 'replacement'): { value: string; end: number } {
  let value = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === delim) return { value, end: i };
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined) break;
      if (what === 'replacement' && /[0-9n]/.test(n)) throw new Error(`sed replacement escape \\${n} is not literal in ${text}`);
      value += n;
      i++;
      continue;
    }
    if (what === 'pattern' && BRE_SPECIAL.has(c)) throw new Error(`sed pattern character ${c} is not literal in ${text}`);
    if (what === 'replacement' && c === '&') throw new Error(`sed replacement & is not literal in ${text}`);
    value += c;
  }
  throw new Error(`unterminated sed expression ${text}`);
}

/** Where an address or `s` command's delimiter is, and the delimiter: `/re/` or `\|re|`. */
function delimiterAt(expr: string, at: number, defaultDelim: string): { delim: string; start: number } {
  if (expr[at] === '\\') return { delim: expr[at + 1]!, start: at + 2 };
  if (expr[at] === defaultDelim) return { delim: defaultDelim, start: at + 1 };
  throw new Error(`unexpected sed expression ${expr}`);
}

/**
 * `sed -i EXPR… PATH` as atoms: `/re/d` lines become one `delete-lines` atom each, and the `s///g`
 * expressions together one `replace` atom whose rules are literal [find, replacement] pairs.
 */
export function sedAtoms(path: string, expressions: string[], defaultDelim: string): Atom[] {
  const deletes: string[] = [];
  const rules: [string, string][] = [];
  for (const e of expressions) {
    if (e.startsWith('s')) {
      const delim = e[1]!;
      const find = readLiteral(e, 2, delim, 'pattern');
      const repl = readLiteral(e, find.end + 1, delim, 'replacement');
      if (e.slice(repl.end + 1) !== 'g') throw new Error(`sed substitution without the g flag: ${e}`);
      rules.push([find.value, repl.value]);
    } else {
      const { delim, start } = delimiterAt(e, 0, defaultDelim);
      const pattern = readLiteral(e, start, delim, 'pattern');
      if (e.slice(pattern.end + 1) !== 'd') throw new Error(`sed command other than d: ${e}`);
      deletes.push(pattern.value);
    }
  }
  if (deletes.length && rules.length) throw new Error(`a sed call that both deletes and substitutes: ${expressions.join(' ')}`);
  return [
    ...deletes.map((d): Atom => ({ scope: 'root', kind: 'delete-lines', path, detail: JSON.stringify(d) })),
    ...(rules.length ? [{ scope: 'root' as const, kind: 'replace', path, detail: JSON.stringify(rules) }] : []),
  ];
}

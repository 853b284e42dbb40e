// Independent readers of the generated files, for the injection corpus: a real POSIX shell parser
// (mvdan-sh), a real Dockerfile parser (dockerfile-ast), pykickstart's own line splitting, and the
// real printf and sed. None of them shares code with the renderers they check.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { DockerfileParser } from 'dockerfile-ast';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ShNode = any;
const sh = require('mvdan-sh') as { syntax: { NewParser(): { Parse(src: string, name: string): ShNode }; Walk(n: ShNode, f: (n: ShNode) => boolean): void; NodeType(n: ShNode): string } };
const syntax = sh.syntax;

// ---------------------------------------------------------------------------------------------
// Shell

/** A word as the shell would hand it to a command, with `${name}` for each parameter expansion. */
export interface ShellWord {
  value: string;
  /** Kinds of expansion the word contains besides plain parameters (CmdSubst, ArithmExp, …). */
  dynamic: string[];
}

export interface ShellCommand {
  args: ShellWord[];
  redirects: { op: string; target: ShellWord }[];
}

export interface ShellScript {
  commands: ShellCommand[];
  /** The tree with every word replaced by `W`: equal shapes mean the same commands and operators. */
  shape: string;
  /** Node kinds that run code found anywhere in the script: command and process substitutions, … */
  substitutions: string[];
}

function unescapeUnquoted(lit: string): string {
  return lit.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

function unescapeInDoubleQuotes(lit: string): string {
  return lit.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

function wordOf(w: ShNode): ShellWord {
  let value = '';
  const dynamic: string[] = [];
  const part = (p: ShNode, quoted: boolean) => {
    const t = syntax.NodeType(p);
    if (t === 'Lit') value += quoted ? unescapeInDoubleQuotes(p.Value) : unescapeUnquoted(p.Value);
    else if (t === 'SglQuoted') value += p.Value;
    else if (t === 'DblQuoted') for (const q of p.Parts) part(q, true);
    else if (t === 'ParamExp') value += `\${${p.Param.Value}}`;
    else {
      dynamic.push(t);
      value += `<${t}>`;
    }
  };
  for (const p of w.Parts) part(p, false);
  return { value, dynamic };
}

const REDIRECT_OPS = new Map<number, string>();
for (const op of ['>', '>>', '<', '>|', '<<<', '2>', '&>']) {
  const f = syntax.NewParser().Parse(`x ${op} y`, 'probe');
  REDIRECT_OPS.set(Number(f.Stmts[0].Redirs[0].Op), op);
}

/** Parses a script (throws on a syntax error) into its simple commands, shape and substitutions. */
export function parseShell(src: string): ShellScript {
  const file = syntax.NewParser().Parse(src, 'generated');
  const commands: ShellCommand[] = [];
  const substitutions: string[] = [];
  const shape: string[] = [];
  // Everything that runs code, at any depth (inside words too).
  syntax.Walk(file, (n: ShNode) => {
    if (n && ['CmdSubst', 'ProcSubst', 'ArithmExp', 'ArithmCmd', 'ExtGlob'].includes(syntax.NodeType(n))) substitutions.push(syntax.NodeType(n));
    return true;
  });
  // Commands and operators, down to the words (not into them).
  syntax.Walk(file, (n: ShNode) => {
    if (!n) return true;
    const t = syntax.NodeType(n);
    if (t === 'Word') {
      shape.push('W');
      return false;
    }
    shape.push(t === 'BinaryCmd' ? `${t}${n.Op}` : t === 'Redirect' ? `${t}${n.Op}` : t);
    if (t === 'Stmt' && n.Cmd && syntax.NodeType(n.Cmd) === 'CallExpr') {
      commands.push({
        args: (n.Cmd.Args as ShNode[]).map(wordOf),
        redirects: (n.Redirs as ShNode[]).map((r) => ({ op: REDIRECT_OPS.get(Number(r.Op)) ?? `op${r.Op}`, target: wordOf(r.Word) })),
      });
    }
    return true;
  });
  return { commands, shape: shape.join(' '), substitutions };
}

/** What `printf FORMAT` (no arguments) prints, by the system's bash (or sh): the real thing. */
export function printfOutput(format: string): Buffer {
  const shell = spawnSync('bash', ['--version']).status === 0 ? 'bash' : 'sh';
  const r = spawnSync(shell, ['-c', 'printf "$1"', 'printf', format]);
  if (r.status !== 0) throw new Error(`printf failed on ${JSON.stringify(format)}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** What `sed -e EXPR` makes of the input, by the system's sed. */
export function sedOutput(expr: string, input: string): string {
  const r = spawnSync('sed', ['-e', expr], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sed failed on ${JSON.stringify(expr)}: ${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// Containerfile

export interface DockerInstruction {
  keyword: string;
  /** The arguments as written (continuation lines included). */
  raw: string;
  /** ENV and LABEL: name and value after Docker's unquoting; `$` in a value is only ever `\$`. */
  properties: { name: string; value: string; unescapedDollar: boolean }[];
}

export function parseContainerfile(text: string): DockerInstruction[] {
  return DockerfileParser.parse(text)
    .getInstructions()
    .map((i) => {
      const props = (i as unknown as { getProperties?: () => { getName(): string; getValue(): string | null }[] }).getProperties?.() ?? [];
      return {
        keyword: i.getKeyword(),
        raw: i.getRawArgumentsContent() ?? '',
        properties: props.map((p) => {
          const v = p.getValue() ?? '';
          return { name: p.getName(), value: v.replace(/\\\$/g, '$'), unescapedDollar: /(^|[^\\])\$/.test(v) };
        }),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Kickstart

/** Python's str.splitlines(): the line boundaries pykickstart sees. */
export function pythonLines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/);
}

export interface Kickstart {
  /** Every line pykickstart treats as a section header or end (stripped, starting with `%`). */
  sectionLines: string[];
  /** Lines of the command section (before the first section), comments and blanks removed. */
  commands: string[];
  /** Bodies of the %post sections, as shell text. */
  posts: string[];
}

export function parseKickstart(text: string): Kickstart {
  const lines = pythonLines(text);
  const out: Kickstart = { sectionLines: [], commands: [], posts: [] };
  let section: string | undefined;
  let body: string[] = [];
  for (const line of lines) {
    const stripped = line.trimStart();
    if (stripped.startsWith('%')) {
      out.sectionLines.push(stripped);
      if (stripped.split(/\s+/)[0] === '%end') {
        if (section === '%post') out.posts.push(body.join('\n'));
        section = undefined;
      } else {
        section = stripped.split(/\s+/)[0];
        body = [];
      }
    } else if (section) body.push(line);
    else if (stripped !== '' && !stripped.startsWith('#')) out.commands.push(line);
  }
  return out;
}

/** shlex.split(line, comments=True) as pykickstart splits command lines (posix mode). */
export function kickstartArgs(line: string): string[] {
  const args: string[] = [];
  let token: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (quote === '"' && c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) token = (token ?? '') + line[++i];
      else token = (token ?? '') + c;
    } else if (/\s/.test(c)) {
      if (token !== undefined) args.push(token);
      token = undefined;
    } else if (c === '#') {
      break; // a comment, even in the middle of a word
    } else if (c === '"' || c === "'") {
      quote = c;
      token ??= '';
    } else if (c === '\\') {
      token = (token ?? '') + (line[++i] ?? '');
    } else token = (token ?? '') + c;
  }
  if (token !== undefined) args.push(token);
  return args;
}

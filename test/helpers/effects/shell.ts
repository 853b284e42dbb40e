// Reads a RUN instruction's shell script with a real shell parser (mvdan-sh) into simple commands
// with their words fully unquoted, as the shell would pass them to the program. Only the shapes a
// generated Containerfile uses are accepted (`&&` chains, `if`/`case` on the platform, one
// assignment from a command substitution, `>`/`>>`); anything else throws, so nothing is skipped.
import sh, { type ShNode } from 'mvdan-sh';

const { syntax } = sh;
const parser = syntax.NewParser();

/** Operator codes are internal to the library; learn them from reference snippets instead of hard-coding. */
const OP = (() => {
  const f = parser.Parse('a && b\na || b\na | b\na > b\na >> b\n', 'ops');
  const op = (i: number, redirect = false) => {
    const s = f.Stmts[i]!;
    return redirect ? ((s['Redirs'] as ShNode[])[0]!['Op'] as number) : ((s['Cmd'] as ShNode)['Op'] as number);
  };
  return { and: op(0), or: op(1), pipe: op(2), out: op(3, true), append: op(4, true) };
})();

export interface ShellCommand {
  argv: string[];
  redirect?: { append: boolean; target: string };
  /** Set when the command runs only on these platforms (`if [ "$VAR" = p ]` or `case "$VAR" in p|q)`). */
  platforms?: string[];
  /** The test of an enclosing `if` that is not about the platform, e.g. ["-n", "$repos"]. */
  guard?: string[];
  /** For `name=$(a | b || true)`: the name and the argv of each command of the pipeline. */
  assignment?: { name: string; pipeline: string[][] };
}

const kids = (n: ShNode, field: string) => (n[field] as ShNode[] | null | undefined) ?? [];

function part(p: ShNode): string {
  switch (syntax.NodeType(p)) {
    case 'Lit':
      // Outside quotes a backslash makes the next character literal.
      return (p['Value'] as string).replace(/\\(.)/g, '$1');
    case 'SglQuoted':
      if (p['Dollar']) throw new Error("$'…' strings are not expected in generated files");
      return p['Value'] as string;
    case 'DblQuoted':
      return kids(p, 'Parts')
        .map((q) => (syntax.NodeType(q) === 'Lit' ? (q['Value'] as string).replace(/\\([$`"\\])/g, '$1') : part(q)))
        .join('');
    case 'ParamExp':
      if (p['Exp'] || p['Repl'] || p['Index'] || p['Slice'] || p['Length']) throw new Error('only plain $NAME expansions are expected');
      return '$' + ((p['Param'] as ShNode)['Value'] as string);
    default:
      throw new Error(`unexpected shell word part: ${syntax.NodeType(p)}`);
  }
}

/** A word as one string after quote removal; `$NAME` stays symbolic and glob characters stay. */
export function wordText(w: ShNode): string {
  return kids(w, 'Parts').map(part).join('');
}

function callArgv(stmt: ShNode): string[] {
  const cmd = stmt['Cmd'] as ShNode;
  if (syntax.NodeType(cmd) !== 'CallExpr' || kids(cmd, 'Assigns').length) throw new Error('expected a simple command');
  return kids(cmd, 'Args').map(wordText);
}

/** `a | b | c || true` → [argv(a), argv(b), argv(c)]. */
function pipeline(stmt: ShNode): string[][] {
  const cmd = stmt['Cmd'] as ShNode;
  if (syntax.NodeType(cmd) === 'BinaryCmd') {
    const op = cmd['Op'] as number;
    if (op === OP.or && callArgv(cmd['Y'] as ShNode).join(' ') === 'true') return pipeline(cmd['X'] as ShNode);
    if (op === OP.pipe) return [...pipeline(cmd['X'] as ShNode), ...pipeline(cmd['Y'] as ShNode)];
    throw new Error('unexpected operator in a command substitution');
  }
  return [callArgv(stmt)];
}

/** `[ "$VAR" = value ]` → the value, when VAR is the platform variable. */
function platformTest(argv: string[], platformVar: string): string | undefined {
  return argv.length === 5 && argv[0] === '[' && argv[1] === platformVar && argv[2] === '=' && argv[4] === ']' ? argv[3] : undefined;
}

function statement(s: ShNode, platformVar: string, ctx: Pick<ShellCommand, 'platforms' | 'guard'>): ShellCommand[] {
  if (s['Negated'] || s['Background'] || s['Coprocess']) throw new Error('unexpected statement modifier');
  const cmd = s['Cmd'] as ShNode;
  const redirs = kids(s, 'Redirs');
  switch (syntax.NodeType(cmd)) {
    case 'BinaryCmd':
      // Only `&&` joins commands at the top level, so any failure fails the build.
      if (cmd['Op'] !== OP.and || redirs.length) throw new Error('commands must be joined with && only');
      return [...statement(cmd['X'] as ShNode, platformVar, ctx), ...statement(cmd['Y'] as ShNode, platformVar, ctx)];
    case 'IfClause': {
      const cond = kids(cmd, 'Cond');
      if (cond.length !== 1) throw new Error('an if with more than one test');
      if (cmd['Else']) throw new Error('else branches are not expected');
      const test = callArgv(cond[0]!);
      const platform = platformTest(test, platformVar);
      const inner = platform ? { ...ctx, platforms: [platform] } : { ...ctx, guard: test.slice(1, -1) };
      return statement(single(kids(cmd, 'Then')), platformVar, inner);
    }
    case 'CaseClause': {
      if (wordText(cmd['Word'] as ShNode) !== platformVar) throw new Error('case on something other than the platform');
      return kids(cmd, 'Items').flatMap((item) => {
        const platforms = kids(item, 'Patterns').map(wordText);
        return statement(single(kids(item, 'Stmts')), platformVar, { ...ctx, platforms });
      });
    }
    case 'CallExpr': {
      const assigns = kids(cmd, 'Assigns');
      if (assigns.length) {
        if (assigns.length !== 1 || kids(cmd, 'Args').length || redirs.length) throw new Error('unexpected assignment');
        const a = assigns[0]!;
        const parts = kids(a['Value'] as ShNode, 'Parts');
        if (parts.length !== 1 || syntax.NodeType(parts[0]) !== 'CmdSubst') throw new Error('assignments must be from one command substitution');
        const stmts = kids(parts[0]!, 'Stmts');
        if (stmts.length !== 1) throw new Error('one pipeline per command substitution');
        return [{ argv: [], assignment: { name: (a['Name'] as ShNode)['Value'] as string, pipeline: pipeline(stmts[0]!) }, ...ctx }];
      }
      if (redirs.length > 1) throw new Error('one redirection per command');
      const r = redirs[0];
      let redirect: ShellCommand['redirect'];
      if (r) {
        if (r['Op'] !== OP.out && r['Op'] !== OP.append) throw new Error('only > and >> redirections are expected');
        redirect = { append: r['Op'] === OP.append, target: wordText(r['Word'] as ShNode) };
      }
      return [{ argv: kids(cmd, 'Args').map(wordText), ...(redirect ? { redirect } : {}), ...ctx }];
    }
    default:
      throw new Error(`unexpected shell construct: ${syntax.NodeType(cmd)}`);
  }
}

/** One statement: `a; b` (or a newline) would let a failing `a` go unnoticed. */
function single(stmts: ShNode[]): ShNode {
  if (stmts.length !== 1) throw new Error('commands must be joined with && only');
  return stmts[0]!;
}

/** The commands of a script in execution order. `platformVar` is e.g. "$TARGETPLATFORM". */
export function shellCommands(script: string, platformVar: string): ShellCommand[] {
  return statement(single(parser.Parse(script, 'RUN').Stmts), platformVar, {});
}

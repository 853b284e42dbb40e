// Turning steps into shell text: commands joined so that the first failure stops the build,
// platform-conditional steps wrapped in a guard, long lists one item per line.
import type { Step } from '../../model/spec.js';
import { commandsFor, continuedLines, formatCmd, guard, type Cmd, type CommandContext } from './commands.js';
import { pushAll } from '../../util/arrays.js';

export type ScriptItem = { cmds: Cmd[] } | { guardOn: string[]; cmds: Cmd[] };

function samePlatforms(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function stepItems(steps: Step[], ctx: CommandContext): ScriptItem[] {
  const out: ScriptItem[] = [];
  for (const s of steps) {
    const cmds = commandsFor(s.operation, ctx);
    if (!cmds.length) continue;
    const last = out[out.length - 1];
    if (s.when) {
      // Consecutive steps under the same platform condition share one guard.
      if (last && 'guardOn' in last && samePlatforms(last.guardOn, s.when.platforms)) pushAll(last.cmds, cmds);
      else out.push({ guardOn: s.when.platforms, cmds: [...cmds] });
    } else if (last && !('guardOn' in last)) pushAll(last.cmds, cmds);
    else out.push({ cmds: [...cmds] });
  }
  return out;
}

/**
 * Dockerfile RUN body: physical lines without the "RUN " prefix, continuation backslashes
 * included. Commands are joined with `&&` so that any failure fails the build.
 */
export function dockerRunLines(items: ScriptItem[], platformVar: string): string[] {
  const segments: (readonly string[])[] = [];
  for (const it of items) {
    if ('guardOn' in it) {
      const g = guard(platformVar, it.guardOn, []);
      const body = joinCmds(it.cmds, '    ').map((l) => '    ' + l);
      body[body.length - 1] += '; \\';
      segments.push([g.open + ' \\', ...body, g.close]);
    } else {
      for (const c of it.cmds) segments.push(continuedLines(c, '    ', ''));
    }
  }
  const lines: string[] = [];
  segments.forEach((seg, i) => seg.forEach((l, j) => lines.push(j === seg.length - 1 && i < segments.length - 1 ? l + ' && \\' : l)));
  return lines;
}

/** Commands joined with `&&`, for inside a guard; the last line has no terminator. */
function joinCmds(cmds: Cmd[], indent: string): string[] {
  const lines: string[] = [];
  cmds.forEach((c, i) => {
    const f = formatCmd(c, indent + '    ');
    f.forEach((l, j) => lines.push(j < f.length - 1 ? l + ' \\' : i < cmds.length - 1 ? l + ' && \\' : l));
  });
  return lines;
}

/** Plain shell script lines (kickstart %post): one command per line; the script sets -eu. */
export function scriptLines(items: ScriptItem[], platformVar: string): string[] {
  const lines: string[] = [];
  for (const it of items) {
    if (!('guardOn' in it)) {
      for (const c of it.cmds) pushAll(lines, continuedLines(c, '    ', ''));
      continue;
    }
    if (it.guardOn.length === 1) lines.push(guard(platformVar, it.guardOn, []).open);
    else lines.push(`case "${platformVar}" in`, `${it.guardOn.join('|')})`);
    for (const c of it.cmds) pushAll(lines, continuedLines(c, '    ', '    '));
    if (it.guardOn.length === 1) lines.push('fi');
    else lines.push('    ;;', 'esac');
  }
  return lines;
}

// The processes running now, read from /proc: what the tests that kill almac look for afterwards
// (a helper that outlived it, a build process inside the store). No vitest import here.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The state letter of /proc/PID/stat: R, S, D, Z (a zombie: exited, not yet reaped), … */
  state: string;
  /** The command line, its arguments joined by spaces. */
  cmdline: string;
  /** Where its root directory is (/proc/PID/root), or '' when that cannot be read. */
  root: string;
}

/** One process, or undefined when it is not running (or exited while it was read). */
export function processEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const [state = '', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    let root = '';
    try {
      root = readlinkSync(`/proc/${pid}/root`);
    } catch {
      // not readable
    }
    return { pid, ppid: Number(ppid), state, cmdline, root };
  } catch {
    return undefined;
  }
}

/** Every process running now, zombies included (state Z). */
export function processes(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = processEntry(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** Whether `pid` runs and has not exited (a zombie has). */
export function isRunning(pid: number): boolean {
  const p = processEntry(pid);
  return p !== undefined && p.state !== 'Z';
}

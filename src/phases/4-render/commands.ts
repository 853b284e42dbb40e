// Each typed operation → shell commands. Used by both targets: a Containerfile build stage
// (root = /mnt/sys-root, on the builder) and a kickstart `%post --nochroot` section
// (root = "$root", on the installer host). Steps that run inside the image get root = "".
import type { ImageSpec, Operation } from '../../model/spec.js';
import { matchesDotEntries } from '../../util/glob.js';
import { MATCH_VAR, printfFormat, quote, rootPath, sedPattern, sedReplacement } from './shell.js';

/**
 * A shell command as quoted words. Words from `listFrom` on are a list (paths, packages); when
 * the command is long they are written one per line, which keeps diffs of generated files small.
 */
export interface Cmd {
  words: string[];
  listFrom?: number;
}


export interface CommandContext {
  /** Shell fragment naming the image root, e.g. `/mnt/sys-root` or `"$root"`; "" inside the image. */
  readonly root: string;
  readonly image: ImageSpec;
  /** Everything in it that any operation's commands depend on (the caches' key). */
  readonly key: string;
}

/** The context of an image's commands run against `root`. */
export function commandContext(root: string, image: ImageSpec): CommandContext {
  return { root, image, key: `${root}\0${image.releasever}\0${image.weakDeps}\0${image.docs}` };
}

/** The dnf options every transaction into the image root shares. */
export function dnfRootOptions(ctx: CommandContext): string[] {
  const o = ['-y', '--installroot', ctx.root, '--releasever', quote(ctx.image.releasever)];
  if (!ctx.image.weakDeps) o.push('--setopt', 'install_weak_deps=false');
  if (!ctx.image.docs) o.push('--nodocs');
  return o;
}

const p = (ctx: CommandContext, path: string, glob = false) => rootPath(ctx.root, path, { glob });

/**
 * `command PATH…` for globbed paths. A glob with a segment such as `.*` may expand to `.` and
 * `..` (bash before 5.2, and other shells, do so), so such paths are run through a loop that skips
 * every match with a `.` or `..` segment; the other paths stay one plain command.
 */
function withGlobs(ctx: CommandContext, head: string[], paths: string[], listed: boolean): Cmd[] {
  const plain = paths.filter((x) => !matchesDotEntries(x));
  const dotted = paths.filter((x) => matchesDotEntries(x));
  const out: Cmd[] = [];
  if (plain.length) out.push({ words: [...head, ...plain.map((x) => p(ctx, x, true))], ...(listed ? { listFrom: head.length } : {}) });
  if (dotted.length) {
    const v = MATCH_VAR;
    out.push({ words: [`for ${v} in ${dotted.map((x) => p(ctx, x, true)).join(' ')}; do case "/$${v}/" in */./*|*/../*) ;; *) ${head.join(' ')} "$${v}" ;; esac; done`] });
  }
  return out;
}

/**
 * What a command depends on besides the operation: the root, and for the dnf transactions the
 * image's release and dnf options. Operations are shared by every image that uses the fragment or
 * base declaring them, so a family of images renders each one once per root.
 */
function contextKey(op: Operation, ctx: CommandContext): string {
  return op.op !== 'install' && op.op !== 'upgrade' ? ctx.root : ctx.key;
}

const commandCache = new WeakMap<Operation, Map<string, readonly Cmd[]>>();
/** The lines of each shared command (see formatCmd), by indent. */
const formatCache = new WeakMap<Cmd, Map<string, readonly string[]>>();
/**
 * The contexts (by contextKey) each operation was rendered in so far, until it is cached: an
 * operation is cached when it is rendered a second time in the same context. An image's own steps
 * are rendered once in each of its files (each in a context of its own), so they are never kept.
 */
const renderedIn = new WeakMap<Operation, string[]>();

/**
 * The commands of an operation, shared between the images that render it in the same context.
 * The result and its commands are never to be changed by the caller: copy before adding to it.
 */
export function commandsFor(op: Operation, ctx: CommandContext): readonly Cmd[] {
  const key = contextKey(op, ctx);
  let byContext = commandCache.get(op);
  if (!byContext) {
    const seen = renderedIn.get(op);
    if (!seen?.includes(key)) {
      if (seen) seen.push(key);
      else renderedIn.set(op, [key]);
      return buildCommands(op, ctx);
    }
    renderedIn.delete(op);
    commandCache.set(op, (byContext = new Map()));
  }
  let cmds = byContext.get(key);
  if (!cmds) {
    cmds = Object.freeze(buildCommands(op, ctx).map((c) => Object.freeze(c)));
    for (const c of cmds) formatCache.set(c, new Map());
    byContext.set(key, cmds);
  }
  return cmds;
}

function buildCommands(op: Operation, ctx: CommandContext): Cmd[] {
  const paths = (xs: string[], glob = false) => xs.map((x) => p(ctx, x, glob));
  switch (op.op) {
    case 'write': {
      const cmds: Cmd[] = [{ words: ['printf', printfFormat(op.content), op.append ? '>>' : '>', p(ctx, op.path)] }];
      if (op.mode) cmds.push({ words: ['chmod', op.mode, p(ctx, op.path)] });
      return cmds;
    }
    case 'touch':
      return [{ words: ['touch', ...paths(op.paths)], listFrom: 1 }, ...(op.mode ? [{ words: ['chmod', op.mode, ...paths(op.paths)], listFrom: 2 }] : [])];
    case 'mkdir':
      return [{ words: ['mkdir', '-p', ...paths(op.paths)], listFrom: 2 }, ...(op.mode ? [{ words: ['chmod', op.mode, ...paths(op.paths)], listFrom: 2 }] : [])];
    case 'chmod':
      return [{ words: ['chmod', op.mode, ...paths(op.paths)], listFrom: 2 }];
    case 'remove':
      return withGlobs(ctx, ['rm', '-rf'], op.paths, true);
    case 'symlink':
      return [{ words: ['ln', '-sfn', quote(op.target), p(ctx, op.path)] }];
    case 'group': {
      const a = ['groupadd'];
      if (ctx.root) a.push('-R', ctx.root);
      if (op.system) a.push('-r');
      if (op.gid !== undefined) a.push('-g', String(op.gid));
      if (op.password !== undefined) a.push('-p', quote(op.password));
      a.push(quote(op.name));
      return [{ words: a }];
    }
    case 'user': {
      const a = ['useradd'];
      if (ctx.root) a.push('-R', ctx.root);
      if (op.system) a.push('-r');
      if (op.uid !== undefined) a.push('-u', String(op.uid));
      if (op.gid !== undefined) a.push('-g', String(op.gid));
      if (op.comment !== undefined) a.push('-c', quote(op.comment));
      if (op.shell !== undefined) a.push('-s', quote(op.shell));
      if (op.home !== undefined) a.push('-d', quote(op.home));
      a.push(op.createHome ? '-m' : '-M');
      if (op.password !== undefined) a.push('-p', quote(op.password));
      a.push(quote(op.name));
      return [{ words: a }];
    }
    case 'delete-lines':
      return withGlobs(ctx, ['sed', '-i', quote(`\\|${sedPattern(op.matching)}|d`)], [op.path], false);
    case 'replace':
      return withGlobs(ctx, ['sed', '-i', ...op.rules.flatMap((r) => ['-e', quote(`s|${sedPattern(r.pattern)}|${sedReplacement(r.replacement)}|g`)])], [op.path], false);
    case 'tmpfiles':
      return [{ words: ['systemd-tmpfiles', ...(ctx.root ? [`--root=${ctx.root}`] : []), '--create', ...op.configs.map(quote)] }];
    case 'timestamp':
      return [{ words: ['date', quote('+' + op.format), '>', p(ctx, op.path)] }];
    case 'copy-from-builder':
      return [{ words: ['install', '-m', op.mode, ...op.sources.map(quote), p(ctx, op.dest)], listFrom: 3 }];
    case 'set-default-target':
      return [{ words: ['systemctl', ...(ctx.root ? [`--root=${ctx.root}`] : []), 'set-default', quote(op.target)] }];
    case 'mask': {
      const head = ['systemctl', ...(ctx.root ? [`--root=${ctx.root}`] : []), 'mask'];
      return [{ words: [...head, ...op.units.map(quote)], listFrom: head.length }];
    }
    case 'builder-write':
      return [{ words: ['printf', printfFormat(op.content), '>', quote(op.path)] }];
    case 'builder-remove':
      return [{ words: ['rm', '-f', ...op.paths.map(quote)] }];
    case 'builder-install':
      return [{ words: ['dnf', 'install', '-y', ...op.packages.map(quote)], listFrom: 3 }];
    case 'install': {
      const head = ['dnf', 'install', ...dnfRootOptions(ctx), ...(op.allowErasing ? ['--allowerasing'] : [])];
      return [{ words: [...head, ...op.packages.map(quote)], listFrom: head.length }];
    }
    case 'upgrade':
      return [{ words: ['dnf', 'upgrade', ...dnfRootOptions(ctx)] }];
    case 'enable-repos': {
      // The repository ids come from the builder's configuration, like the packages themselves.
      const want = quote(op.matching.join('|'));
      const skip = op.except.length ? ` | grep -Eiv ${quote(op.except.join('|'))}` : '';
      return [
        { words: [`repos=$(dnf repolist --all | awk 'NR > 1 { print $1 }' | grep -Ei ${want}${skip} || true)`] },
        { words: [`if [ -n "$repos" ]; then dnf config-manager --installroot ${ctx.root} --enable $repos; fi`] },
      ];
    }
    case 'clean-metadata':
      return [{ words: ['dnf', '--installroot', ctx.root, 'clean', 'all'] }];
    case 'shell':
      // Rendered by each target: it is the one step that is not a command line.
      return [];
  }
}

/**
 * Formats a command: on one line when short, otherwise its list one item per line. The lines of a
 * command shared through commandsFor are formatted once per indent; the result is not to be changed.
 */
export function formatCmd(cmd: Cmd, indent: string, max = 100): readonly string[] {
  const byIndent = max === 100 ? formatCache.get(cmd) : undefined;
  if (!byIndent) return layoutCmd(cmd, indent, max);
  let lines = byIndent.get(indent);
  if (!lines) byIndent.set(indent, (lines = Object.freeze(layoutCmd(cmd, indent, max))));
  return lines;
}

/** The cache key of continued lines: one string per (indent, prefix), so that no key is built per call. */
const continuedKeys = new Map<string, Map<string, string>>();
function continuedKey(indent: string, prefix: string): string {
  let byPrefix = continuedKeys.get(indent);
  if (!byPrefix) continuedKeys.set(indent, (byPrefix = new Map()));
  let key = byPrefix.get(prefix);
  if (key === undefined) byPrefix.set(prefix, (key = `${indent}\0${prefix}`));
  return key;
}

/**
 * A command's lines as a script continues them: ` \\` after every line but the last, each line
 * after `prefix`. Cached like formatCmd.
 */
export function continuedLines(cmd: Cmd, indent: string, prefix: string): readonly string[] {
  const byIndent = formatCache.get(cmd);
  const key = continuedKey(indent, prefix);
  let lines = byIndent?.get(key);
  if (!lines) {
    const f = formatCmd(cmd, indent);
    lines = f.map((l, j) => (j < f.length - 1 ? `${prefix}${l} \\` : prefix + l));
    byIndent?.set(key, Object.freeze(lines));
  }
  return lines;
}

function layoutCmd(cmd: Cmd, indent: string, max: number): string[] {
  const one = cmd.words.join(' ');
  if (cmd.listFrom === undefined || one.length + indent.length <= max || cmd.words.length - cmd.listFrom < 2) return [one];
  // Keep a trailing redirection with the last item.
  const head = cmd.words.slice(0, cmd.listFrom).join(' ');
  return [head, ...cmd.words.slice(cmd.listFrom).map((w) => '    ' + w)];
}

/** Wraps commands in a platform condition, for steps that run only on some platforms. */
export function guard(variable: string, values: string[], body: string[]): { open: string; body: string[]; close: string } {
  if (values.length === 1) return { open: `if [ "${variable}" = ${quote(values[0]!)} ]; then`, body, close: 'fi' };
  return { open: `case "${variable}" in ${values.map(quote).join('|')})`, body, close: ';; esac' };
}

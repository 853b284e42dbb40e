// The real grammars of the values a definition may contain. Everything that reaches a shell,
// a Containerfile or a kickstart is checked here first; renderers still quote what they emit.
import { hasBidiOrInvisible } from '../../util/display.js';
import { isGlob, parseGlob } from '../../util/glob.js';

/** RPM package name (as in `Name:`), optionally a glob, or a provide like `dnf-command(config-manager)`. */
const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
const RPM_GLOB = /^[A-Za-z0-9_+*?[][A-Za-z0-9._+*?[\]!-]*$/;
const RPM_PROVIDE = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*\([A-Za-z0-9._+/:-]+\)$/;
/** Comps group id, as accepted by dnf and kickstart `%packages`: `@core`, `@container-tools`. */
const GROUP = /^@\^?[A-Za-z0-9][A-Za-z0-9._-]*$/;

export type PackageKind = 'name' | 'glob' | 'provide' | 'group';

export function classifyPackage(s: string): PackageKind | undefined {
  if (RPM_NAME.test(s)) return 'name';
  if (GROUP.test(s)) return 'group';
  if (RPM_PROVIDE.test(s)) return 'provide';
  if (RPM_GLOB.test(s) && isGlob(s) && parseGlob(s).parts) return 'glob';
  return undefined;
}

export function explainBadPackage(s: string): string {
  if (/\s/.test(s)) return 'package names contain no whitespace; list several packages as separate items';
  if (/[;&|$`'"\\<>]/.test(s)) return 'package names cannot contain shell metacharacters (; & | $ ` \' " \\ < >)';
  if (/^-/.test(s)) return 'a leading `-` is kickstart syntax; use `exclude NAME` instead';
  const g = /[[\]]/.test(s) ? parseGlob(s) : undefined;
  if (g?.error) return g.error;
  return 'RPM names use letters, digits and . _ + -; globs may use * and ?; groups start with @';
}

/**
 * Characters that end a line for some reader of the generated files, or are control characters:
 * C0 and C1 controls and U+2028/U+2029. pykickstart splits a kickstart with Python's
 * str.splitlines(), which breaks lines at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029 as well
 * as at \n and \r; a value holding one could start a `%end` or command line of its own.
 */
export const CONTROL_OR_LINE_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Bidirectional controls (U+202E can make a reviewed line display in another order than it runs)
 * and characters that display as nothing (U+200B, …): rejected in paths, names and single-line
 * values, escaped (octal) in file contents.
 */
const UNSHOWN_MESSAGE = 'cannot contain bidirectional or invisible characters (such as U+202E or U+200B): a reviewed diff would not show what runs';

/**
 * An image path: absolute, no `.`/`..` segments, no empty segments, no control characters.
 * Where globs are allowed, `*`, `?` and `[...]` follow the one dialect of util/glob.ts (expanded
 * at build time) and anything outside it is rejected; elsewhere every character is literal.
 */
export function checkPath(p: string, opts: { glob: boolean }): string | undefined {
  if (!p.startsWith('/')) return 'paths must be absolute (start with `/`)';
  if (CONTROL_OR_LINE_BREAK.test(p)) return 'paths cannot contain control characters or line breaks (such as newlines or NUL)';
  if (hasBidiOrInvisible(p)) return `paths ${UNSHOWN_MESSAGE}`;
  const segs = p.split('/').slice(1);
  const trailing = segs.length > 1 && segs[segs.length - 1] === '' ? 1 : 0;
  for (let i = 0; i < segs.length - trailing; i++) {
    const s = segs[i]!;
    if (s === '' && !(p === '/')) return 'paths cannot contain empty segments (`//`)';
    if (s === '..' || s === '.') return 'paths cannot contain `.` or `..` segments; write the path out in full';
  }
  if (!opts.glob && /[*?]/.test(p)) return 'this path cannot be a glob (`*`, `?`)';
  if (opts.glob) {
    const g = parseGlob(p);
    if (g.error) return g.error;
  }
  if (p.length > 4096) return 'paths are at most 4096 characters long';
  return undefined;
}

/** A symlink target may be relative, but stays a plain path. */
export function checkLinkTarget(p: string): string | undefined {
  if (p === '') return 'a symlink target cannot be empty';
  if (CONTROL_OR_LINE_BREAK.test(p)) return 'a symlink target cannot contain control characters or line breaks';
  if (hasBidiOrInvisible(p)) return `a symlink target ${UNSHOWN_MESSAGE}`;
  // `ln -sfn TARGET LINK` would read it as options; a file named so can be written `./-name`.
  if (p.startsWith('-')) return 'a symlink target cannot start with `-` (write `./-name`)';
  if (/[*?]/.test(p)) return 'a symlink target cannot be a glob';
  return undefined;
}

/** File mode: 3 or 4 octal digits, normalised to 4 ("600" → "0600"). */
export function normaliseMode(m: string): string | undefined {
  if (!/^[0-7]{3,4}$/.test(m)) return undefined;
  return m.length === 3 ? '0' + m : m;
}

/** shadow-utils' user/group name grammar (useradd(8), NAME_REGEX default). */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,30}\$?$/;

/** A unit name; not starting with `-`, which systemctl would read as an option. */
export const SYSTEMD_UNIT = /^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]*\.(service|socket|target|mount|automount|swap|path|timer|slice|scope|device)$/;

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** STOPSIGNAL: a signal name (with optional SIG prefix and RTMIN/RTMAX offsets) or a number. */
export const SIGNAL = /^(SIG)?([A-Z]{2,8}|RTMIN(\+\d{1,2})?|RTMAX(-\d{1,2})?)$|^\d{1,2}$/;

/** USER: name or uid, optionally :group or :gid. */
export const USER_SPEC = /^([a-z_][a-z0-9_-]{0,30}|\d{1,10})(:([a-z_][a-z0-9_-]{0,30}|\d{1,10}))?$/;

/** Repository id, as dnf and kickstart `repo --name` accept it. */
export const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function checkUrl(u: string): string | undefined {
  // Printable ASCII only: a URL is written bare into kickstart command lines, which pykickstart
  // splits with shlex (quotes, backslashes) after removing comments (`#`, even inside a word).
  if (/[^\u0021-\u007e]|["'`\\#]/.test(u)) return 'URLs are printable ASCII without spaces, quotes, backslashes or `#`';
  if (!/^(https?|ftp|file):\/\/[^/]*\/?/.test(u)) return 'URLs start with http://, https://, ftp:// or file://';
  return undefined;
}

/** Image reference for the builder (SYSBASE): registry/name[:tag][@digest]. */
export const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Locale names as rpm's %_install_langs and kickstart `lang` take them: en_US.UTF-8, C.utf8, POSIX. */
export const LOCALE = /^[A-Za-z]{1,8}(_[A-Za-z0-9]{2,8})?(\.[A-Za-z0-9-]{1,16})?(@[A-Za-z0-9]{1,16})?$/;

export const KEYBOARD = /^[a-z]{2,8}([_-][a-z0-9]{1,16})*$/;
export const TIMEZONE = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+){0,2}$/;

/** Release and platform names as declared. */
export const RELEASE_NAME = /^[0-9]+(\.[0-9]+)?(-[a-z0-9]+)?$/;
export const PLATFORM_NAME = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
export const ARCH = /^[a-z0-9_]+$/;
export const IDENT = /^[a-z][a-z0-9-]*$/;

/** strftime format for `timestamp`: printable, no quotes or backslashes. */
export const DATE_FORMAT = /^[A-Za-z0-9%_:.+ -]{1,64}$/;

/** A command argument for assertions: any text without NUL. */
export function checkArg(a: string): string | undefined {
  return a.includes('\0') ? 'command arguments cannot contain NUL' : undefined;
}

/** Text written into files: any Unicode text without NUL. */
export function checkText(t: string): string | undefined {
  return t.includes('\0') ? 'file content cannot contain NUL bytes' : undefined;
}

/** A single-line value (ENV, LABEL): no control characters but tab. */
export function checkSingleLine(t: string): string | undefined {
  if (hasBidiOrInvisible(t)) return `this value ${UNSHOWN_MESSAGE}`;
  return t.replace(/\t/g, ' ').match(CONTROL_OR_LINE_BREAK) ? 'this value must be a single line without control characters' : undefined;
}

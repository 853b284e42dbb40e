// A fast path around yargs for simple command lines such as `almac check` or
// `almac generate -q --root DIR`.
//
// Why: loading yargs takes about 60 ms, most of the start-up of a no-op `almac check`. Command
// lines that need none of its features are parsed here; everything else (help, version,
// positionals, unknown or repeated options, `--no-…`, numbers, arrays, bad values…) returns
// undefined and goes to yargs, which then behaves exactly as it always did. The options of a verb
// are read from the verb's own builder in registry.ts, so an option added there is either one this
// parser understands or makes its command lines fall back to yargs: it can never be ignored.
import type { Argv } from 'yargs';
import type { Verb } from './registry.js';

export interface SimpleOption {
  type: 'boolean' | 'string';
  alias?: string;
  default?: boolean | string;
  choices?: readonly string[];
  describe?: string;
  defaultDescription?: string;
}

const SIMPLE_KEYS = new Set(['type', 'alias', 'default', 'choices', 'describe', 'defaultDescription']);

function isSimple(spec: unknown): spec is SimpleOption {
  if (typeof spec !== 'object' || spec === null) return false;
  const s = spec as Record<string, unknown>;
  if (!Object.keys(s).every((k) => SIMPLE_KEYS.has(k))) return false;
  if (s['type'] !== 'boolean' && s['type'] !== 'string') return false;
  if (s['alias'] !== undefined && typeof s['alias'] !== 'string') return false;
  if (s['default'] !== undefined && typeof s['default'] !== s['type']) return false;
  if (s['choices'] !== undefined && (s['type'] !== 'string' || !Array.isArray(s['choices']))) return false;
  return true;
}

/** The options a verb's builder declares, or undefined if it uses anything beyond simple options. */
function verbOptions(builder: Verb['builder']): Map<string, SimpleOption> | undefined {
  const options = new Map<string, SimpleOption>();
  let simple = true;
  const recorder: object = new Proxy(
    {},
    {
      get(_target, prop) {
        if (prop === 'option') {
          return (name: unknown, spec: unknown) => {
            if (typeof name === 'string' && isSimple(spec)) options.set(name, spec);
            else simple = false;
            return recorder;
          };
        }
        return () => {
          simple = false;
          return recorder;
        };
      },
    },
  );
  try {
    builder(recorder as Argv);
  } catch {
    return undefined;
  }
  return simple ? options : undefined;
}

const camelCase = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export interface SimpleCommandLine {
  verb: Verb;
  /** The arguments as yargs would pass them to the verb's handler. */
  args: Record<string, unknown> & { _: string[] };
}

export function parseSimpleCommandLine(argv: string[], verbs: readonly Verb[], globals: Record<string, SimpleOption>): SimpleCommandLine | undefined {
  const [name, ...rest] = argv;
  const verb = verbs.find((v) => v.command === name);
  if (!name || !verb || !/^[a-z][a-z-]*$/.test(verb.command)) return undefined;
  const own = verbOptions(verb.builder);
  if (!own || [...own.keys()].some((k) => k in globals)) return undefined;
  const options = new Map([...Object.entries(globals), ...own]);

  const byFlag = new Map<string, string>();
  for (const [key, spec] of options) {
    byFlag.set(`--${key}`, key);
    if (spec.alias) byFlag.set(spec.alias.length === 1 ? `-${spec.alias}` : `--${spec.alias}`, key);
  }
  const given = new Map<string, boolean | string>();
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const key = byFlag.get(eq > 0 ? token.slice(0, eq) : token);
    if (key === undefined || given.has(key)) return undefined;
    const spec = options.get(key)!;
    if (spec.type === 'boolean') {
      if (eq > 0) return undefined;
      given.set(key, true);
      continue;
    }
    const value = eq > 0 ? token.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (spec.choices && !spec.choices.includes(value)) return undefined;
    given.set(key, value);
  }

  const args: SimpleCommandLine['args'] = { _: [name] };
  for (const [key, spec] of options) {
    const value = given.get(key) ?? spec.default;
    if (value === undefined) continue;
    for (const k of new Set([key, camelCase(key), ...(spec.alias ? [spec.alias, camelCase(spec.alias)] : [])])) args[k] = value;
  }
  return { verb, args };
}

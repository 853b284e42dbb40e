// Reading a statement's arguments: positional values (lists are flattened) and options.
// Options are *bare* words from a known set (`mode 0600`, `system`); a quoted string is always a
// value, so a package literally named like an option can still be written as "mode".
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import { closest, didYouMean } from '../../util/suggest.js';
import { pushAll } from '../../util/arrays.js';

export type OptionKind = 'flag' | 'value' | 'list';

export interface ReadArgs {
  positionals: Value[];
  options: Map<string, { value?: Value; values?: Value[]; span: Span }>;
  arrows: Value[];
}

export function readArgs(
  st: Statement,
  options: Record<string, OptionKind>,
  diags: Diagnostic[],
  opts: { optionLike?: (w: string) => boolean } = {},
): ReadArgs {
  const out: ReadArgs = { positionals: [], options: new Map(), arrows: [] };
  const args = st.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind === 'arrow') {
      out.arrows.push(a);
      continue;
    }
    if (a.kind === 'word' && Object.prototype.hasOwnProperty.call(options, a.text)) {
      const kind = options[a.text]!;
      if (out.options.has(a.text)) {
        diags.push(error('E205', a.span, `\`${a.text}\` is given twice`, { expected: 'each option at most once', hint: 'remove one of them' }));
      }
      if (kind === 'flag') {
        out.options.set(a.text, { span: a.span });
        continue;
      }
      const v = args[i + 1];
      if (!v || v.kind === 'arrow' || (v.kind === 'word' && Object.prototype.hasOwnProperty.call(options, v.text))) {
        diags.push(error('E206', a.span, `\`${a.text}\` needs a value`, { expected: kind === 'list' ? 'a list `[…]` or a value' : 'a value', hint: `write \`${a.text} VALUE\`` }));
        continue;
      }
      i++;
      if (kind === 'list') out.options.set(a.text, { values: v.kind === 'list' ? v.items ?? [] : [v], span: a.span });
      else if (v.kind === 'list') diags.push(error('E207', v.span, `\`${a.text}\` takes one value, not a list`, { expected: 'a single value' }));
      else out.options.set(a.text, { value: v, span: a.span });
      continue;
    }
    if (a.kind === 'word' && opts.optionLike?.(a.text)) {
      const hint = didYouMean(a.text, Object.keys(options));
      diags.push(error('E204', a.span, `unknown option \`${a.text}\` for \`${st.name}\``, {
        expected: Object.keys(options).length ? `one of: ${Object.keys(options).join(', ')}` : 'no options',
        hint: hint ?? `quote it ("${a.text}") if it is meant as a value`,
      }));
      // A misspelt option (`mod 0600`) is followed by its value; skip it instead of reporting it too.
      const meant = closest(a.text, Object.keys(options));
      if (meant && options[meant] !== 'flag' && args[i + 1] && args[i + 1]!.kind !== 'arrow') i++;
      continue;
    }
    if (a.kind === 'list') pushAll(out.positionals, (a.items ?? []));
    else out.positionals.push(a);
  }
  return out;
}

/** A word that cannot be a path or a package name, so is probably a misspelt option. */
export function looksLikeOption(w: string): boolean {
  return /^[a-z][a-z-]*$/.test(w);
}

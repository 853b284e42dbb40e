// What to say about a release or platform that is not declared: the closest declared name, and
// how to declare this one if it is meant to be new.
import { didYouMean } from '../../util/suggest.js';

export function undeclaredHint(axis: 'release' | 'platform', name: string, declared: Iterable<string>): string {
  const close = didYouMean(name, declared);
  const declare =
    axis === 'release'
      ? `\`release ${name} { releasever ${name.replace(/-.*$/, '')}  version …  builder …  platforms […] }\``
      : `\`platform ${name} { basearch … }\``;
  return `${close ? `${close} ` : ''}${close ? 'If' : 'if'} ${name} is a new ${axis}, declare it: ${declare}`;
}

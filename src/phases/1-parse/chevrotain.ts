// Chevrotain's runtime values, loaded from the single-file bundle the package ships.
//
// Why: the package's entry point pulls in several hundred modules (its own sources and lodash-es)
// and costs about a quarter of a second at every `almac` start; the bundle holds the same code of
// the same version and loads in about 15 ms. The bundle is not listed in the package's "exports",
// so it is located next to the entry point. If a future version moves it, the entry point is used.
// Types still come from 'chevrotain' itself (type-only imports cost nothing at run time).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain'); // …/lib/src/api.js
    return (await import(new URL('../chevrotain.mjs', pathToFileURL(entry)).href)) as Chevrotain;
  } catch {
    return import('chevrotain');
  }
}

const chevrotain = await load();
export const { createToken, Lexer, EmbeddedActionsParser, EOF } = chevrotain;
export type Lexer = import('chevrotain').Lexer;
export type EmbeddedActionsParser = import('chevrotain').EmbeddedActionsParser;

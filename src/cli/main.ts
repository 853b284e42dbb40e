// The `almac` command line: global options and the verbs from registry.ts.
// Simple command lines skip yargs (simple-argv.ts); yargs, the slowest module to load, is only
// loaded for the others, such as `--help`.
import { resolve } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { EXIT } from './io.js';
import { VERBS, type Verb } from './registry.js';
import { parseSimpleCommandLine, type SimpleOption } from './simple-argv.js';

export { usedParts } from './used-parts.js';
export { runningFromBundle } from '../output/compiler-identity.js';

export const GLOBAL_OPTIONS: Record<string, SimpleOption> = {
  root: { type: 'string', describe: 'Project directory (holds definitions/ and generated/)', defaultDescription: 'current directory' },
  json: { type: 'boolean', default: false, describe: 'Machine-readable output on stdout' },
};

/** A parsed command line: the verb to run with its arguments, or the exit code of a line already answered. */
export type CommandLine = { verb: Verb; args: Record<string, unknown> } | { code: number };

/**
 * What yargs makes of argv: the verb and its arguments, or an exit code when yargs answered the
 * line itself (help, version, or a usage error, which it has printed).
 */
export async function yargsCommandLine(argv: string[], verbs: readonly Verb[] = VERBS): Promise<CommandLine> {
  const { default: yargs } = await import('yargs');
  let chosen: { verb: Verb; args: Record<string, unknown> } | undefined;
  let code: number = EXIT.ok;
  let parser = yargs(argv)
    .scriptName('almac')
    .usage('$0 <command> [options]\n\nCompile .alma image definitions into Containerfiles and kickstarts, and build them.')
    .options(GLOBAL_OPTIONS);
  for (const v of verbs) {
    parser = parser.command(v.command, v.describe, v.builder, (a) => {
      // With exitProcess(false) yargs still calls the handler after a usage error (an unknown
      // option under strict()); a wrong command line must not run anything.
      if (code === EXIT.usage) return;
      chosen = { verb: v, args: a };
    });
  }
  parser = parser
    .demandCommand(1, 'Name a command; see `almac --help`.')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .epilog('Exit codes: 0 success · 1 check failed, errors in definitions, or a build failed · 2 usage error · 3 environment error (I/O, engine). NO_COLOR disables colour.')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`error: ${msg}\nRun \`almac --help\` for usage.\n`);
      code = EXIT.usage;
    })
    .exitProcess(false);
  await parser.parseAsync();
  return chosen && code === EXIT.ok ? chosen : { code };
}

function runVerb(v: Verb, a: Record<string, unknown>): Promise<number> {
  return v.run({ ...(a as ArgumentsCamelCase<Record<string, unknown>>), root: resolve((a['root'] as string | undefined) ?? process.cwd()), json: Boolean(a['json']) });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const line = parseSimpleCommandLine(argv, VERBS, GLOBAL_OPTIONS) ?? (await yargsCommandLine(argv));
    if ('code' in line) return line.code;
    return await runVerb(line.verb, line.args);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return EXIT.environment;
  }
}

// The `almac` command line: global options and the verbs from registry.ts.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { EXIT } from './io.js';
import { VERBS } from './registry.js';

export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  let code: number = EXIT.ok;
  let parser = yargs(argv)
    .scriptName('almac')
    .usage('$0 <command> [options]\n\nCompile .alma image definitions into Containerfiles and kickstarts, and build them.')
    .option('root', { type: 'string', describe: 'Project directory (holds definitions/ and generated/)', defaultDescription: 'current directory' })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output on stdout' });
  for (const v of VERBS) {
    parser = parser.command(v.command, v.describe, v.builder, (a) => {
      pending = v.run({ ...a, root: resolve((a['root'] as string | undefined) ?? process.cwd()), json: Boolean(a['json']) });
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
  try {
    await parser.parseAsync();
    if (pending) code = await pending;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return EXIT.environment;
  }
  return code;
}

// The `almac` command line. Each verb lives in commands/; this file only declares them.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { EXIT } from './io.js';
import { runCheck, runGenerate } from './commands/generate.js';
import { runList, runPrint } from './commands/inspect.js';

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const root = (a: { root?: string }) => resolve(a.root ?? process.cwd());
  const parser = yargs(argv)
    .scriptName('almac')
    .usage('$0 <command> [options]\n\nCompile .alma image definitions into Containerfiles and kickstarts, and build them.')
    .option('root', { type: 'string', describe: 'Project directory (holds definitions/ and generated/)', default: undefined, defaultDescription: 'current directory' })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output on stdout' })
    .command(
      'generate',
      'Write generated/ from definitions/ (all or nothing; removes orphaned files)',
      (y) => y.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on success' }),
      (a) => { code = runGenerate({ root: root(a), json: a.json, quiet: a.quiet }); },
    )
    .command(
      'check',
      'Exit 1 if generated/ is stale, hand-edited or has orphans (never writes)',
      (y) => y.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on success' }),
      (a) => { code = runCheck({ root: root(a), json: a.json, quiet: a.quiet }); },
    )
    .command(
      'print <image>',
      'Show an image fully resolved (inheritance, fragments and conditions applied)',
      (y) =>
        y
          .positional('image', { type: 'string', demandOption: true, describe: 'An image (`minimal`) or release/image (`9/minimal`)' })
          .option('release', { alias: 'r', type: 'string', describe: 'Only this release' }),
      (a) => { code = runPrint({ root: root(a), image: a.image, release: a.release, json: a.json }); },
    )
    .command('list', 'List every image × release with its outputs', (y) => y, (a) => { code = runList({ root: root(a), json: a.json }); })
    .demandCommand(1, 'Name a command; see `almac --help`.')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .epilog('Exit codes: 0 success · 1 check failed, errors in definitions, or a build failed · 2 usage error · 3 environment error (I/O, engine). NO_COLOR disables colour.')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`error: ${msg}\nRun \`almac --help\` for usage.\n`);
      code = EXIT.usage;
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return EXIT.environment;
  }
  return code;
}

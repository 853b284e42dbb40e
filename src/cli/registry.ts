// The CLI's verbs. Each entry declares its options here and loads its implementation lazily, so
// `almac check` does not pay for the code of `build` or `diff` at start-up.
import type { Argv, ArgumentsCamelCase } from 'yargs';

export interface Verb {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv;
  /** Returns the exit code. */
  run: (args: ArgumentsCamelCase<Record<string, unknown>> & { root: string; json: boolean }) => Promise<number>;
}

export const VERBS: Verb[] = [
  {
    command: 'generate',
    describe: 'Write generated/ from definitions/ (all or nothing; removes orphaned files)',
    builder: (y) => y.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on success' }),
    run: async (a) => (await import('./commands/generate.js')).runGenerate({ root: a.root, json: a.json, quiet: Boolean(a['quiet']) }),
  },
  {
    command: 'check',
    describe: 'Exit 1 if generated/ is stale, hand-edited or has orphans (never writes)',
    builder: (y) => y.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on success' }),
    run: async (a) => (await import('./commands/generate.js')).runCheck({ root: a.root, json: a.json, quiet: Boolean(a['quiet']) }),
  },
  {
    command: 'print <image>',
    describe: 'Show an image fully resolved (inheritance, fragments and conditions applied)',
    builder: (y) =>
      y
        .positional('image', { type: 'string', demandOption: true, describe: 'An image (`minimal`) or release/image (`9/minimal`)' })
        .option('release', { alias: 'r', type: 'string', describe: 'Only this release' }),
    run: async (a) => (await import('./commands/inspect.js')).runPrint({ root: a.root, image: String(a['image']), release: a['release'] as string | undefined, json: a.json }),
  },
  {
    command: 'list',
    describe: 'List every image × release with its outputs',
    builder: (y) => y,
    run: async (a) => (await import('./commands/inspect.js')).runList({ root: a.root, json: a.json }),
  },
  {
    command: 'lock [selectors..]',
    describe: 'Resolve package sets with the host\'s dnf and write generated/locks/ (installs nothing)',
    builder: (y) =>
      y
        .positional('selectors', { type: 'string', array: true, describe: 'Images: `9/minimal`, `minimal`, `9`; none = all' })
        .option('platform', { type: 'string', array: true, describe: 'Platforms to lock (default: this machine\'s)' })
        .option('repo', { type: 'string', array: true, describe: 'Resolve against ID=URL instead of the definitions\' repositories (repeatable)' }),
    run: async (a) =>
      (await import('./commands/lock.js')).runLock({
        root: a.root,
        json: a.json,
        selectors: (a['selectors'] as string[] | undefined) ?? [],
        platforms: (a['platform'] as string[] | undefined) ?? [],
        repos: (a['repo'] as string[] | undefined) ?? [],
      }),
  },
];

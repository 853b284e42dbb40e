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
        .option('repo', { type: 'string', array: true, describe: 'Resolve against NAME=URL|DIR instead of the definitions\' repositories (repeatable; as almac build: $releasever, $basearch)' }),
    run: async (a) =>
      (await import('./commands/lock.js')).runLock({
        root: a.root,
        json: a.json,
        selectors: (a['selectors'] as string[] | undefined) ?? [],
        platforms: (a['platform'] as string[] | undefined) ?? [],
        repos: (a['repo'] as string[] | undefined) ?? [],
      }),
  },
  {
    command: 'fmt [files..]',
    describe: 'Rewrite definitions in the canonical layout (never changes their meaning)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, describe: 'Files or directories (default: every definitions/**/*.alma)' })
        .option('check', { type: 'boolean', default: false, describe: 'Change nothing; list the files that are not formatted and exit 1 if any' }),
    run: async (a) => (await import('./commands/fmt.js')).runFmt({ root: a.root, json: a.json, check: Boolean(a['check']), files: (a['files'] as string[] | undefined) ?? [] }),
  },
  {
    command: 'diff [base] [head]',
    describe: 'Compare the resolved images at two git revisions: packages, operations, config, tags',
    builder: (y) =>
      y
        .positional('base', { type: 'string', describe: 'Base revision (default: `git merge-base HEAD main`, or HEAD)' })
        .positional('head', { type: 'string', describe: 'Head revision (default: the working tree)' })
        .option('format', { type: 'string', choices: ['text', 'markdown', 'json'], default: 'text', describe: 'Report format (--json is --format json)' }),
    run: async (a) =>
      (await import('./commands/diff.js')).runDiff({
        root: a.root,
        format: a.json ? 'json' : (a['format'] as 'text' | 'markdown' | 'json'),
        base: a['base'] as string | undefined,
        head: a['head'] as string | undefined,
      }),
  },
  {
    command: 'explain <code>',
    describe: 'Explain a diagnostic code (E401): what it means, an example and how to fix it',
    builder: (y) => y.positional('code', { type: 'string', demandOption: true, describe: 'A code such as E401' }),
    run: async (a) => (await import('./commands/explain.js')).runExplain({ code: String(a['code']), json: a.json }),
  },
  {
    command: 'build [selectors..]',
    describe: 'Build images with podman, buildah or docker, and verify each one against its definition',
    builder: (y) =>
      y
        .positional('selectors', { type: 'string', array: true, describe: 'Images: `9/minimal`, `minimal`, `9`; none = all' })
        .option('engine', { type: 'string', choices: ['podman', 'buildah', 'docker'], describe: 'Container engine', defaultDescription: 'the first of podman, buildah, docker on PATH' })
        .option('via', { type: 'string', array: true, describe: 'Route: containerfile or kickstart (repeat for both)', defaultDescription: 'containerfile' })
        .option('sysbase', { type: 'string', array: true, describe: 'Builder image (the Containerfile\'s SYSBASE): IMAGE for every platform, PLATFORM=IMAGE for one (repeatable; e.g. linux/arm64=localhost/almac-builder:bookworm-arm64). A multi-platform image is pulled per platform; its architecture must match', defaultDescription: 'the definition\'s builder' })
        .option('repo', { type: 'string', array: true, describe: 'NAME=URL|DIR: build with exactly these package repositories (repeatable); $releasever and $basearch are filled in per release and platform, e.g. fixture=/srv/repos/9-$basearch' })
        .option('gpgcheck', { type: 'boolean', default: true, describe: 'GPG-check remote --repo repositories (--no-gpgcheck: never)' })
        .option('jobs', { alias: 'j', type: 'number', describe: 'Builds at a time', defaultDescription: 'number of CPUs' })
        .option('keep-going', { alias: 'k', type: 'boolean', default: false, describe: 'Keep building the others after a failure' })
        .option('progress', { type: 'string', choices: ['auto', 'tty', 'plain'], default: 'auto', describe: 'Live region (tty) or one line per event (plain); auto: tty on a terminal' })
        .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'Print the commands as a shell script; run nothing' })
        .option('platform', { type: 'string', array: true, describe: 'Platform(s) to build, e.g. linux/arm64', defaultDescription: 'this machine\'s' })
        .option('force', { type: 'boolean', default: false, describe: 'Build even when nothing changed' })
        .option('build-dir', { type: 'string', default: '.almac/build', describe: 'Logs, manifests and state' })
        .option('store', { type: 'string', describe: 'podman/buildah store directory, or `system`', defaultDescription: '<build-dir>/engine' })
        .option('locked', { type: 'boolean', default: false, describe: 'Fail an image whose packages differ from its lock in generated/locks/' })
        .option('kickstart-executor', { type: 'string', choices: ['auto', 'livemedia-creator', 'almac'], default: 'auto', describe: 'What runs kickstarts' }),
    run: async (a) => (await import('./commands/build.js')).runBuildVerb(a),
  },
  {
    command: 'library [selectors..]',
    describe: 'Docker Official Images layout, rootfs tarballs and library file from built images',
    builder: (y) =>
      y
        .positional('selectors', { type: 'string', array: true, describe: 'Images: `9/minimal`, `minimal`, `9`; none = every official-library image' })
        .option('from', { type: 'string', describe: 'Where the multi-platform images are: oci:DIR[:REF] or a skopeo source; {release} {image} {version} {repository}' })
        .option('out', { type: 'string', describe: 'Layout directory: <release>/<type>/<arch>/, library.json, library/<name>' })
        .option('platform', { type: 'string', array: true, describe: 'Only these platforms', defaultDescription: 'every platform of the definition with a DOI architecture' })
        .option('date', { type: 'string', describe: 'YYYYMMDD for {date} in tags', defaultDescription: 'the date of SOURCE_DATE_EPOCH' })
        .option('source-date-epoch', { type: 'string', describe: 'mtime clamp and commit date (seconds)', defaultDescription: '$SOURCE_DATE_EPOCH, else the start of today (UTC)' })
        .option('commit-to', { type: 'string', describe: 'Commit each release to branch <release> of this git repository; GitCommit from those commits' })
        .option('commit-only', { type: 'boolean', default: false, describe: 'Commit the layout already in --out (no export)' })
        .option('git-commit', { type: 'string', describe: 'GitCommit for every entry (instead of --commit-to)' })
        .option('validate', { type: 'string', describe: 'Only check this library file against bashbrew\'s rules' }),
    run: async (a) =>
      (await import('./commands/library.js')).runLibrary({
        root: a.root,
        json: a.json,
        selectors: (a['selectors'] as string[] | undefined) ?? [],
        from: a['from'] as string | undefined,
        out: a['out'] as string | undefined,
        platforms: (a['platform'] as string[] | undefined) ?? [],
        date: a['date'] as string | undefined,
        sourceDateEpoch: a['sourceDateEpoch'] as string | undefined,
        commitTo: a['commitTo'] as string | undefined,
        commitOnly: Boolean(a['commitOnly']),
        gitCommit: a['gitCommit'] as string | undefined,
        validate: a['validate'] as string | undefined,
      }),
  },
  {
    command: 'outdated [selectors..]',
    describe: 'Which images need a rebuild: updated packages and advisories (exit 100 if any)',
    builder: (y) =>
      y
        .positional('selectors', { type: 'string', array: true, describe: 'Images: `9/minimal`, `minimal`, `9`; none = all' })
        .option('severity', { type: 'string', describe: 'Only advisories of this severity or higher: low, moderate, important (= Important and Critical), critical' })
        .option('security', { type: 'boolean', default: false, describe: 'Only security advisories' })
        .option('format', { type: 'string', choices: ['text', 'markdown', 'json', 'list'], default: 'text', describe: 'Report format; markdown is a changelog per image, list prints the images to rebuild' })
        .option('platform', { type: 'string', array: true, describe: 'Platforms to check', defaultDescription: 'this machine\'s' })
        .option('repo', { type: 'string', array: true, describe: 'Compare with NAME=URL|DIR instead of the definitions\' repositories (repeatable)' })
        .option('package-set', { type: 'string', array: true, describe: 'IMAGE=FILE: read the package set from a build manifest or CycloneDX SBOM instead of the lock' })
        .option('published', { type: 'boolean', default: false, describe: 'Read each package set from the SBOM of the published image (its first registry) instead of the lock' })
        .option('json-file', { type: 'string', describe: 'Also write the JSON report to FILE (one run gives a changelog and the machine-readable list)' })
        .option('registry-map', { type: 'string', array: true, describe: 'SRC=DEST: with --published, read what names registry location SRC from DEST instead (repeatable)' }),
    run: async (a) =>
      (await import('./commands/outdated.js')).runOutdated({
        root: a.root,
        selectors: (a['selectors'] as string[] | undefined) ?? [],
        platforms: (a['platform'] as string[] | undefined) ?? [],
        repos: (a['repo'] as string[] | undefined) ?? [],
        packageSets: (a['packageSet'] as string[] | undefined) ?? [],
        published: Boolean(a['published']),
        registryMaps: (a['registryMap'] as string[] | undefined) ?? [],
        jsonFile: a['jsonFile'] as string | undefined,
        severity: a['severity'] as string | undefined,
        security: Boolean(a['security']),
        format: a.json ? 'json' : (a['format'] as 'text' | 'markdown' | 'json' | 'list'),
      }),
  },
  {
    command: 'lsp',
    describe: 'Run the language server for editors (Language Server Protocol over stdio)',
    builder: (y) => y.option('stdio', { type: 'boolean', default: true, describe: 'Talk over stdin/stdout (the only transport; accepted for clients that pass it)' }),
    run: async (a) => (await import('./commands/lsp.js')).runLsp({ root: a.root }),
  },
  {
    command: 'publish [selectors..]',
    describe: 'Push built images (one manifest list each, with SBOMs) to every reference their definitions name',
    builder: (y) =>
      y
        .positional('selectors', { type: 'string', array: true, describe: 'Images: `9/minimal`, `minimal`, `9`; none = all' })
        .option('platform', { type: 'string', array: true, describe: '`all` or a list of platforms, e.g. linux/amd64,linux/arm64', defaultDescription: 'all' })
        .option('registry-map', { type: 'string', array: true, describe: 'SRC=DEST: push what names registry location SRC to DEST instead (repeatable)' })
        .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'Print the commands; push nothing' })
        .option('retries', { type: 'number', default: 3, describe: 'Attempts per registry operation on transient errors' })
        .option('backoff-ms', { type: 'number', default: 500, describe: 'First back-off between attempts (doubles)' })
        .option('build-dir', { type: 'string', default: '.almac/build', describe: 'Where `almac build` left its state' })
        .option('store', { type: 'string', describe: 'podman store directory, or `system`', defaultDescription: '<build-dir>/engine' }),
    run: async (a) => (await import('./commands/publish.js')).runPublishVerb(a),
  },
];

// Run by engine.test.ts in a separate process (vite-node): starts a build whose RUN step sleeps, prints
// READY once the step runs, and waits to be killed by SIGTERM/SIGINT from the test. The engine's signal
// handling must kill the build's PID namespace and the registered cleanup reap the store before the
// process dies.
import { onInterrupt, PodmanEngine, prepareEngineEnvironment, reapLeftoversSync } from '../../../src/runner/engine/index.js';

const [stateDir, contextDir, baseImage] = process.argv.slice(2);
if (!stateDir || !contextDir || !baseImage) {
  console.error('usage: interrupted-build.ts STATE_DIR CONTEXT_DIR BASE_IMAGE');
  process.exit(2);
}
const environment = await prepareEngineEnvironment({ stateDir });
const engine = new PodmanEngine({ store: environment, killSafe: true });
// what `almac build` registers for the run (src/runner/build/interrupt.ts)
onInterrupt(() => void reapLeftoversSync(engine, { includeOwn: true }));
let ready = false;
await engine.build({
  containerfile: `${contextDir}/Containerfile`,
  contextDir,
  tag: 'localhost/almac-test:interrupted',
  buildArgs: { BASE: baseImage },
  onLine: (chunk) => {
    if (!ready && chunk.includes('step-started')) {
      ready = true;
      console.log('READY');
    }
  },
}).then(
  () => console.log('build returned without a signal'),
  (e: Error) => console.log(`build returned without a signal: ${e.message}`),
);

// Run by engine.test.ts in a separate process (vite-node): starts a build whose RUN step sleeps, prints
// READY once the step runs, and waits to be killed by SIGTERM/SIGINT from the test. The engine's signal
// handling must kill the build's PID namespace and clean up before the process dies.
import { PodmanEngine, prepareEngineEnvironment } from '../../../src/runner/engine/index.js';

const [stateDir, contextDir, baseImage] = process.argv.slice(2);
if (!stateDir || !contextDir || !baseImage) {
  console.error('usage: interrupted-build.ts STATE_DIR CONTEXT_DIR BASE_IMAGE');
  process.exit(2);
}
const environment = await prepareEngineEnvironment({ stateDir });
const engine = new PodmanEngine({ environment });
let ready = false;
const r = await engine.build({
  containerfile: `${contextDir}/Containerfile`,
  contextDir,
  tag: 'localhost/almac-test:interrupted',
  buildArgs: { BASE: baseImage },
  onOutput: (chunk) => {
    if (!ready && chunk.includes('step-started')) {
      ready = true;
      console.log('READY');
    }
  },
});
console.log(`build returned without a signal: code=${r.code}`);

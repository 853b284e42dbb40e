// The thread PendingTreeDigests (tree-digests.ts) starts for a large generated/: digests the tree
// and posts the result (or nothing, if the walk threw: the main thread then walks it itself, and
// throws the same error where it always did).
import { parentPort, workerData } from 'node:worker_threads';
import { digestTreeFiles, type TreeDigests } from './tree-digests.js';

let digests: TreeDigests | undefined;
try {
  digests = digestTreeFiles((workerData as { dir: string }).dir);
} catch {
  digests = undefined;
}
parentPort!.postMessage({ digests });

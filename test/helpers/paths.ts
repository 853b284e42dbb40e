// Where the project under test lives. No vitest import here: the global setup uses it too.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFINITIONS = join(REPO_ROOT, 'definitions');
export const GENERATED = join(REPO_ROOT, 'generated');
export const CLI = join(REPO_ROOT, 'bin', 'almac.js');

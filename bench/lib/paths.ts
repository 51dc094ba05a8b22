import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SLUICE_BIN = path.join(REPO_ROOT, 'bin', 'sluice.mjs');
/** Inside the package (so DAG files are ES modules, as in a user's project); ignored by git. */
export const BENCH_TMP = path.join(REPO_ROOT, 'bench', '.tmp');
export const README = path.join(REPO_ROOT, 'bench', 'README.md');

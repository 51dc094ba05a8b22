/**
 * The code runner processes run: runner-main.ts and what it imports (the authoring API, try
 * execution, code loading; `sluice` and `sluice/providers` as chunks loaded when a DAG's code asks
 * for them), bundled to JavaScript once per worker start (own-code-bundle.mjs). A runner then
 * starts with plain Node, without the TypeScript loader: in a third of the time and about half
 * the memory.
 */
import path from 'node:path';
import { RUNS_BUNDLED } from '../../src/core/bundled.ts';
import { buildOwnBundle, stopBundler } from '../../src/loader/own-code-bundle.mjs';

let built: Promise<string> | undefined;

/**
 * Builds the bundle unless a worker already did, and returns its entry file. Once per process
 * (several workers of one process, as in tests, share it); a failed build is tried again by the
 * next worker.
 */
export function buildRunnerBundle(): Promise<string> {
  if (!built) {
    built = buildNow();
    built.catch(() => (built = undefined));
  }
  return built;
}

async function buildNow(): Promise<string> {
  try {
    const dir = await buildOwnBundle('runner', { 'runner-main': 'workers/runner/runner-main.ts' });
    return path.join(dir, 'runner-main.mjs');
  } finally {
    // A bundled worker uses esbuild for nothing else: its service process need not stay.
    if (RUNS_BUNDLED) await stopBundler();
  }
}

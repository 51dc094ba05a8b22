/**
 * The `sluice` command's entry point (bin/sluice.mjs starts it). The CLI lives in src/cli, which
 * may not import workers/ (it builds on src/); what the CLI runs from here, a worker in this
 * process and the in-process test runs, is handed to it as its runtime.
 */
import { main as cliMain } from '../src/cli/main.ts';
import type { CliRuntime } from '../src/cli/runtime.ts';
import { applyHeapGrowth } from './heap.ts';

// The worker (BullMQ) and the local test runs are loaded by the commands that use them, not by
// every `sluice` call: a one-shot command starts faster without them.
export const runtime: CliRuntime = {
  applyHeapGrowth,
  runDagLocally: async (...args) => (await import('./local-run.ts')).runDagLocally(...args),
  runTaskLocally: async (...args) => (await import('./local-run.ts')).runTaskLocally(...args),
  async startWorker(config, options, log) {
    const { SluiceWorker } = await import('./worker.ts');
    const worker = new SluiceWorker(config, options, log);
    await worker.start();
    return worker;
  },
};

/** Runs `sluice <argv>`; resolves to the exit status. */
export function main(argv: string[]): Promise<number> {
  return cliMain(argv, runtime);
}

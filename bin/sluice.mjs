#!/usr/bin/env node
// The `sluice` command. TypeScript (ours and the DAG files') is compiled on the fly by tsx,
// except in `sluice worker`: a worker runs no DAG file (the code of each DAG version comes from
// the metadata database, already bundled), so it runs Sluice's own code bundled, with plain Node,
// and holds neither tsx nor its esbuild service (some 50 MB of its memory).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);

async function bundledMain() {
  const { buildOwnBundle, stopBundler } = await import('../src/loader/own-code-bundle.mjs');
  let dir;
  try {
    dir = await buildOwnBundle('cli', { 'cli-entry': 'workers/cli-entry.ts' });
  } catch (error) {
    process.stderr.write(`sluice: could not bundle Sluice's code (is node_modules writable?), so this worker runs under the TypeScript loader, larger: ${error.message}\n`);
    return undefined;
  } finally {
    await stopBundler();
  }
  return (await import(pathToFileURL(path.join(dir, 'cli-entry.mjs')).href)).main;
}

let main = argv[0] === 'worker' ? await bundledMain() : undefined;
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../workers/cli-entry.ts'));
}
process.exitCode = await main(argv);

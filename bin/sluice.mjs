#!/usr/bin/env node
// The `sluice` command. It runs Sluice's own TypeScript bundled to JavaScript with plain Node
// (src/loader/own-code-bundle.mjs: built once per installation and change of the sources, in
// node_modules/.cache/sluice), not compiled on the fly by tsx: a command starts in a third less
// time, and a long-running process holds neither tsx nor its esbuild service (some 50 MB). DAG
// files never needed tsx: each is bundled with esbuild and run as one function. If the bundle
// cannot be written (a read-only installation), the command runs under tsx, slower.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function bundledMain() {
  const { buildOwnBundle, stopBundler } = await import('../src/loader/own-code-bundle.mjs');
  let dir;
  try {
    dir = await buildOwnBundle('cli', { 'cli-entry': 'workers/cli-entry.ts' });
  } catch (error) {
    process.stderr.write(`sluice: could not bundle Sluice's code (is node_modules writable?), so it runs under the TypeScript loader, slower and larger: ${error.message}\n`);
    return undefined;
  } finally {
    await stopBundler();
  }
  return (await import(pathToFileURL(path.join(dir, 'cli-entry.mjs')).href)).main;
}

let main = await bundledMain();
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../workers/cli-entry.ts'));
}
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The `sluice` command. TypeScript (ours and the DAG files') is compiled on the fly by tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../workers/cli-entry.ts');
process.exitCode = await main(process.argv.slice(2));

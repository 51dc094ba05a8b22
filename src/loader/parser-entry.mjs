// A DAG parser process's entry point (parser-process.ts forks it): TypeScript through tsx, as bin/sluice.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./parser-main.ts');

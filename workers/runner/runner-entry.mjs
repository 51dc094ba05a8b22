// A runner process's entry point (runner.ts forks it): TypeScript through tsx, as bin/sluice.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./runner-main.ts');

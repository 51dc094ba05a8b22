import { register } from 'node:module';

let registered = false;

/**
 * Makes `import 'sluice'` and `import 'sluice/providers'` resolve to this installation from DAG
 * files anywhere on disk (a DAGs folder outside this package, with or without a package.json or
 * node_modules of its own): see resolve-hook.mjs for how. Idempotent; must run before the first
 * DAG file is imported, since Node caches what a module resolved to.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  register('./resolve-hook.mjs', import.meta.url);
}

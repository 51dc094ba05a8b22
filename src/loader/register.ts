import { register } from 'node:module';

let registered = false;

/**
 * Makes `import 'sluice'` and `import 'sluice/providers'` resolve to this installation from the
 * packages DAG code imports, wherever they are installed: see resolve-hook.mjs. Idempotent; must
 * run before the first such package is imported, since Node caches what a module resolved to.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  register('./resolve-hook.mjs', import.meta.url);
}

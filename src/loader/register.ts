import { register } from 'node:module';
import { RUNS_BUNDLED } from '../core/bundled.ts';

let registered = false;

/**
 * Makes `import 'sluice'` and `import 'sluice/providers'` resolve to this installation from the
 * packages DAG code imports, wherever they are installed: see resolve-hook.mjs. Idempotent; must
 * run before the first such package is imported, since Node caches what a module resolved to.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  // Not where Sluice runs bundled (a runner process, a worker): the hook names the TypeScript
  // entry points, which only tsx can load. The packages a DAG imports that import `sluice`
  // themselves then find it only where Node's own resolution does.
  if (!RUNS_BUNDLED) register(new URL('./resolve-hook.mjs', import.meta.url));
}

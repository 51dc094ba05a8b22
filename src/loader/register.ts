import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

let registered = false;

/**
 * Makes `import 'sluice'` and `import 'sluice/providers'` resolve to this installation from the
 * packages DAG code imports, wherever they are installed: see resolve-hook.mjs. Idempotent; must
 * run before the first such package is imported, since Node caches what a module resolved to.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  const hook = new URL('./resolve-hook.mjs', import.meta.url);
  // Not there in a runner process, which runs Sluice bundled (runner-bundle.ts): the packages a DAG
  // imports that import `sluice` themselves then find it only where Node's own resolution does.
  if (existsSync(fileURLToPath(hook))) register(hook);
}

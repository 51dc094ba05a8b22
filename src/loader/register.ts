import { register } from 'node:module';
import { BUNDLE_URL } from '../core/bundled.ts';

let registered = false;

/**
 * Makes `import 'sluice'` and its entries (`'sluice/providers'`, `'sluice/notifiers'`, `'sluice/sensors'`, `'sluice/operators'`) resolve to this
 * installation from the packages DAG code imports, wherever they are installed: see
 * resolve-hook.mjs. Idempotent; must run before the first such package is imported, since Node
 * caches what a module resolved to.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  // Bundled, the modules are the bundle's files beside this code (own-code-bundle.mjs's
  // OWN_PACKAGE_ENTRIES, each written as its name + .mjs); from the
  // source, the TypeScript entry points that package.json's "exports" name.
  const entries = BUNDLE_URL
    ? {
        sluice: new URL('./sluice.mjs', BUNDLE_URL).href,
        'sluice/providers': new URL('./sluice-providers.mjs', BUNDLE_URL).href,
        'sluice/notifiers': new URL('./sluice-notifiers.mjs', BUNDLE_URL).href,
        'sluice/sensors': new URL('./sluice-sensors.mjs', BUNDLE_URL).href,
        'sluice/operators': new URL('./sluice-operators.mjs', BUNDLE_URL).href,
      }
    : {
        sluice: new URL('../index.ts', import.meta.url).href,
        'sluice/providers': new URL('../providers/index.ts', import.meta.url).href,
        'sluice/notifiers': new URL('../notifiers/index.ts', import.meta.url).href,
        'sluice/sensors': new URL('../sensors/index.ts', import.meta.url).href,
        'sluice/operators': new URL('../operators/index.ts', import.meta.url).href,
      };
  register(new URL('./resolve-hook.mjs', import.meta.url), { data: { entries } });
}

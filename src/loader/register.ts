import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

let registered = false;

const ENTRIES: Record<string, string> = {
  sluice: fileURLToPath(new URL('../index.ts', import.meta.url)),
  'sluice/providers': fileURLToPath(new URL('../providers/index.ts', import.meta.url)),
};

/**
 * Makes `import 'sluice'` and `import 'sluice/providers'` resolve from DAG files anywhere on disk: through an ESM resolve hook,
 * and for files that tsx compiles as CommonJS (a DAGs folder outside any "type": "module"
 * package) through the CommonJS resolver. Idempotent.
 */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  registered = true;
  register('./resolve-hook.mjs', import.meta.url);
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
    return original.call(this, ENTRIES[request] ?? request, ...rest);
  };
}

import { register } from 'node:module';

let registered = false;

/** Makes `import 'sluice'` resolve from DAG files anywhere on disk. Idempotent. */
export function ensureSluiceResolvable(): void {
  if (registered) return;
  register('./resolve-hook.mjs', import.meta.url);
  registered = true;
}

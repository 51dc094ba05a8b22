// An extract thread's entry under tsx (extract-threads.ts starts it when Sluice runs from its
// TypeScript): a thread does not get the TypeScript loader of the thread that started it, so it
// registers its own, as runner-entry.mjs does for a runner process. Bundled, the thread starts
// from the bundle's sluice-extract-thread.mjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./extract-thread.ts');

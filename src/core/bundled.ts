/**
 * Whether this code runs bundled (src/loader/own-code-bundle.mjs defines the constant: a
 * runner process, a DAG parser process, a `sluice worker`) rather than from its TypeScript source under tsx.
 */
declare const __SLUICE_BUNDLED__: boolean | undefined;

export const RUNS_BUNDLED = typeof __SLUICE_BUNDLED__ !== 'undefined';

/**
 * Whether this code runs bundled (a runner process, a DAG parser process, a `sluice worker`),
 * and from where: src/loader/own-code-bundle.mjs declares `__sluiceBundleUrl`, the URL of the
 * bundle file, at the top of each file it writes. Code run from its TypeScript source under tsx
 * has no such declaration.
 */
declare const __sluiceBundleUrl: string | undefined;

/** The URL of the bundle file this code runs from, or undefined when it runs from its source. */
export const BUNDLE_URL: string | undefined = typeof __sluiceBundleUrl === 'string' ? __sluiceBundleUrl : undefined;

export const RUNS_BUNDLED = BUNDLE_URL !== undefined;

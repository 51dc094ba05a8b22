// A Node module-resolution hook: `import ... from 'sluice'` in a DAG file resolves to this
// package wherever the DAGs folder lives (self-reference alone only works inside this package).
const SLUICE_ENTRY = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'sluice') return nextResolve(SLUICE_ENTRY, context);
  return nextResolve(specifier, context);
}

// A Node module-resolution hook: `import ... from 'sluice'` (and 'sluice/providers') in a DAG file
// resolves to this package wherever the DAGs folder lives (self-reference alone only works inside
// this package).
const ENTRIES = {
  sluice: new URL('../index.ts', import.meta.url).href,
  'sluice/providers': new URL('../providers/index.ts', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRIES[specifier];
  if (entry) return nextResolve(entry, context);
  return nextResolve(specifier, context);
}

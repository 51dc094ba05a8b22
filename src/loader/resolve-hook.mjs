// A Node module-resolution hook (registered by register.ts): `sluice` and `sluice/providers`
// resolve to this package's entry points (what package.json's "exports" name), whichever folder
// the importing file is in. A DAG version's bundle gets them from load-code.ts directly; this is
// for the packages it imports, such as a team's own library of operators in a DAGs repository's
// node_modules, that import `sluice` themselves: self-reference alone only works for files inside
// this package.
const ENTRIES = {
  sluice: new URL('../index.ts', import.meta.url).href,
  'sluice/providers': new URL('../providers/index.ts', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRIES[specifier];
  return entry ? nextResolve(entry, context) : nextResolve(specifier, context);
}

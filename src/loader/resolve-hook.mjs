// A Node module-resolution hook (registered by register.ts): `sluice` and its entries
// (`sluice/providers`, `sluice/notifiers`, `sluice/sensors`, `sluice/operators`) resolve to this installation's modules, whichever folder the importing file
// is in. A DAG version's bundle gets them from load-code.ts directly; this is for the packages
// it imports, such as a team's own library of operators in a DAGs repository's node_modules, that
// import `sluice` themselves: self-reference alone only works for files inside this package. The
// modules' URLs come from register.ts: the TypeScript entry points, or where Sluice runs bundled,
// the bundle's own files for them (the very modules load-code.ts hands DAG code).
let entries = {};

export function initialize(data) {
  entries = data.entries;
}

export async function resolve(specifier, context, nextResolve) {
  const entry = entries[specifier];
  return entry ? nextResolve(entry, context) : nextResolve(specifier, context);
}

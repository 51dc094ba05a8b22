// A Node module-resolution hook (registered by register.ts) that lets DAG files anywhere on disk
// import this installation.
//
// 1. `sluice` and `sluice/providers` resolve to this package's entry points (what package.json's
//    "exports" name), whichever folder the importing file is in: self-reference alone only works
//    for files inside this package, and a user's DAGs repository is not.
//
// 2. A TypeScript file that would run as CommonJS (one in no "type": "module" package, as in a
//    fresh DAGs repository) is loaded as an ES module instead. As CommonJS, a DAG file's `import`
//    syntax sends it through require(esm) (or tsx compiles its imports to require()), and Node
//    resolves those imports with its default resolver, never with this hook: `import 'sluice'`
//    would not be found. DAG files and their helpers are ES modules by contract (a DAG is a file's
//    `export default`), so nothing else changes. Files in node_modules keep the format their
//    package declares; `.cts` files stay CommonJS.
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRIES = {
  sluice: new URL('../index.ts', import.meta.url).href,
  'sluice/providers': new URL('../providers/index.ts', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRIES[specifier];
  if (entry) return nextResolve(entry, context);
  const resolved = await nextResolve(specifier, context);
  if (resolved.format !== 'commonjs' || !resolved.url.startsWith('file:')) return resolved;
  const module = asOwnTypeScriptModule(new URL(resolved.url));
  return module ? { ...resolved, url: module, format: 'module' } : resolved;
}

/**
 * The URL to load a user's TypeScript file from as an ES module, or undefined for any other file.
 * tsx marks a CommonJS file imported for its named exports with query parameters of its own
 * (`tsx-…`, partly percent-encoded into the path): loaded as a module, the file needs none of
 * them, and dropping them keeps one URL, hence one module instance, per file.
 */
function asOwnTypeScriptModule(url) {
  const file = fileURLToPath(url).split('?')[0];
  if (!/\.tsx?$/.test(file) || file.split(/[\\/]/).includes('node_modules')) return undefined;
  const clean = pathToFileURL(file);
  for (const [name, value] of url.searchParams) if (!name.startsWith('tsx-')) clean.searchParams.append(name, value);
  return clean.href;
}

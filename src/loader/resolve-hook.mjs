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
//
// 3. A DAG version's bundle (load-code.ts) lives in the machine's code cache, not beside its DAG
//    file: the packages it imports resolve as if from the DAG file's folder (its `origin`, when
//    that folder exists here: a DAGs repository with node_modules of its own), else from this
//    installation, whose node_modules a worker with no DAGs folder provides.
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRIES = {
  sluice: new URL('../index.ts', import.meta.url).href,
  'sluice/providers': new URL('../providers/index.ts', import.meta.url).href,
};

/** This installation's root, as the parent that bare imports of a bundle fall back to. */
const INSTALLATION = new URL('../../package.json', import.meta.url).href;
/** load-code.ts's BUNDLE_MARK. */
const BUNDLE_MARK = 'sluice-bundle';

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRIES[specifier];
  if (entry) return nextResolve(entry, context);
  const bundle = bundleOrigin(context.parentURL);
  if (bundle !== undefined && isBare(specifier)) return resolveFromBundle(specifier, context, bundle, nextResolve);
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

/** The origin folder's URL of a bundle parent ('' when it has none), or undefined for any other parent. */
function bundleOrigin(parentURL) {
  if (!parentURL?.includes(BUNDLE_MARK)) return undefined;
  const url = new URL(parentURL);
  return url.searchParams.has(BUNDLE_MARK) ? (url.searchParams.get('origin') ?? '') : undefined;
}

const isBare = (specifier) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

async function resolveFromBundle(specifier, context, origin, nextResolve) {
  if (origin) {
    try {
      return await nextResolve(specifier, { ...context, parentURL: origin });
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  return nextResolve(specifier, { ...context, parentURL: INSTALLATION });
}

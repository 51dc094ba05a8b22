/**
 * Loads a DAG version's bundled code (bundle.ts) in this process: the packages it requires are
 * imported first (once per process), then the bundle is compiled as one function and run, with
 * a `require` that hands it those packages. No file is written and no module loader hook runs,
 * and a version nobody uses any more is garbage like any other object.
 *
 * Packages resolve as if required from the DAG file's own folder when that exists here (a DAGs
 * repository with node_modules of its own), else from this installation: a worker with no DAGs
 * folder uses its own node_modules. `sluice` and its entries (`sluice/providers`, `sluice/notifiers`,
 * `sluice/sensors`, `sluice/operators`) are always this installation's.
 */
import { createRequire, isBuiltin, SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { cachedPromise } from '../core/promise-cache.ts';
import { ensureSluiceResolvable } from './register.ts';
import { asImportOf } from './stray-errors.ts';

/** What a version's code is to the loader (a DagCode, or a row of the metadata database). */
export interface CodeToLoad {
  codeHash: string;
  code: string;
  sourceMap: string | null;
}

/** The name the bundle reads `import.meta.url` from (a parameter of the function loadCode makes). */
export const IMPORT_META_URL = '__sluice_import_meta_url';

/**
 * This installation's own packages, imported by literal paths: bundled (own-code-bundle.mjs: a
 * runner process, a worker), these are chunks of the bundle, not files beside it.
 */
const OWN_PACKAGES: Record<string, () => Promise<object>> = {
  sluice: () => import('../index.ts'),
  'sluice/providers': () => import('../providers/index.ts'),
  'sluice/notifiers': () => import('../notifiers/index.ts'),
  'sluice/sensors': () => import('../sensors/index.ts'),
  'sluice/operators': () => import('../operators/index.ts'),
};
/** Where packages resolve when the DAG file's folder does not have them. */
const INSTALLATION = fileURLToPath(new URL('../../', import.meta.url));

/** esbuild writes each package the bundle uses as `require("name")`. */
const REQUIRE_CALL = /\brequire\("((?:[^"\\]|\\.)+)"\)/g;

/**
 * Runs the code of the DAG file `fileloc` (relative to `root`, the local DAGs folder, which need
 * not exist) and returns its exports. Errors are thrown as the code threw them; stray errors of
 * the import are blamed on `fileloc` (stray-errors.ts). Stack frames in the bundle name
 * `bundleFilename(root, fileloc)`: remapStack turns them into the original files and lines.
 */
export async function loadCode(code: CodeToLoad, root: string, fileloc: string): Promise<{ default?: unknown }> {
  const dagFile = path.resolve(root, fileloc);
  const packages = new Map<string, unknown>();
  for (const [, specifier] of code.code.matchAll(REQUIRE_CALL)) {
    const name = JSON.parse(`"${specifier!}"`) as string;
    if (!packages.has(name)) packages.set(name, await importPackage(name, path.dirname(dagFile)));
  }
  const filename = bundleFilename(root, fileloc, code.codeHash);
  if (code.sourceMap) rememberSourceMap(filename, { root, map: code.sourceMap });
  const localRequire = createRequire(dagFile);
  const run = vm.compileFunction(code.code, ['exports', 'require', 'module', '__filename', '__dirname', IMPORT_META_URL], { filename });
  const module = { exports: {} as { default?: unknown } };
  // A package the bundle requires in a way esbuild did not write out (a computed name) is
  // required the CommonJS way from the DAG file's folder.
  const require = (name: string) => (packages.has(name) ? packages.get(name) : localRequire(name));
  await asImportOf(fileloc, async () => {
    run(module.exports, require, module, dagFile, path.dirname(dagFile), pathToFileURL(dagFile).href);
  });
  return module.exports;
}

/**
 * The name stack frames give a bundle of `fileloc`: its own path, marked with the code's hash,
 * so nobody mistakes the line numbers (remapStack replaces them) and two versions never share one.
 */
export function bundleFilename(root: string, fileloc: string, codeHash: string): string {
  return `${path.resolve(root, fileloc)} (bundle ${codeHash.slice(0, 12)})`;
}

const imported = new Map<string, Promise<unknown>>();

/**
 * A package as the bundle's `require` returns it: its ES module namespace marked `__esModule`, so
 * esbuild's interop reads `default` and named exports from it as an `import` would.
 */
function importPackage(name: string, fromDir: string): Promise<unknown> {
  return cachedPromise(imported, `${fromDir}\u0000${name}`, async () => {
    const own = OWN_PACKAGES[name];
    // Only a package of someone else's can import 'sluice' itself, and only then is the resolve
    // hook needed: registering it starts a module-hooks thread, which blocked a runner's first
    // load for a second on a busy machine, and DAG code that imports nothing but Sluice never
    // needs it.
    if (!own && !isBuiltin(name)) ensureSluiceResolvable();
    const ns: object = await (own ? own() : import(resolvePackage(name, fromDir)));
    return Object.freeze({ ...ns, __esModule: true });
  });
}

function resolvePackage(name: string, fromDir: string): string {
  if (isBuiltin(name)) return name;
  for (const base of [fromDir, INSTALLATION]) {
    try {
      return pathToFileURL(createRequire(path.join(base, 'noop.js')).resolve(name)).href;
    } catch {
      // Not found from there: the next place.
    }
  }
  // Let import() say why (an ES-only package without a require condition, or a missing one).
  return name;
}

const sourceMaps = new Map<string, { root: string; map: string; parsed?: SourceMap }>();
/** Maps kept for stack traces; past this many bundles, the oldest one's frames keep bundle lines. */
const MAX_SOURCE_MAPS = 500;

function rememberSourceMap(filename: string, entry: { root: string; map: string }): void {
  sourceMaps.delete(filename);
  sourceMaps.set(filename, entry);
  if (sourceMaps.size > MAX_SOURCE_MAPS) sourceMaps.delete(sourceMaps.keys().next().value!);
}

/** `stack` with each frame in a loaded bundle put back at its original file, line and column. */
export function remapStack(stack: string): string {
  if (sourceMaps.size === 0) return stack;
  return stack.replace(/([^\s(]+ \(bundle [0-9a-f]+\)):(\d+):(\d+)/g, (frame, file: string, line: string, column: string) => {
    const entry = sourceMaps.get(file);
    if (!entry) return frame;
    entry.parsed ??= new SourceMap(JSON.parse(entry.map) as ConstructorParameters<typeof SourceMap>[0]);
    const found = entry.parsed.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (found.originalSource === undefined) return frame;
    return `${path.resolve(entry.root, found.originalSource)}:${found.originalLine! + 1}:${found.originalColumn! + 1}`;
  });
}

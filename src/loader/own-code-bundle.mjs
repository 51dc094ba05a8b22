// Sluice's own TypeScript bundled to JavaScript, so that a process can run it with plain Node
// rather than under tsx: each runner process (workers/runner/runner-bundle.ts) and the
// `sluice worker` process itself (bin/sluice.mjs). tsx holds some 25 MB in a process, and its
// esbuild service process 23 MB more; a worker needs neither, since the DAG code it runs comes
// from the database already bundled (src/loader/load-code.ts).
//
// Plain JavaScript because bin/sluice.mjs builds the worker's bundle before anything can compile
// TypeScript. Packages stay imports, resolved from this installation's node_modules, which is
// why bundles are written below it. Each module keeps its own file's `import.meta.url`, so code
// that finds files beside its source (migrations, the runner's entry) finds them from a bundle
// too; `__sluiceBundleUrl`, declared atop each file written, is where code runs bundled from
// (src/core/bundled.ts). Every bundle has `sluice` and its entries (`sluice/providers`, `sluice/notifiers`,
// `sluice/sensors`, `sluice/operators`) as entries of their own (sluice.mjs, sluice-providers.mjs, …): the packages a DAG
// imports that import them themselves are given those (register.ts), the same modules the DAG's
// own code gets.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const INSTALLATION_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The entries every bundle has besides its own: what `sluice` and `sluice/<entry>` are in it, and
 * the entry of an extract thread (src/providers/etl/extract-threads.ts starts it from the bundle's
 * folder, as a thread needs a file of its own).
 */
export const OWN_PACKAGE_ENTRIES = {
  sluice: 'src/index.ts',
  'sluice-providers': 'src/providers/index.ts',
  'sluice-notifiers': 'src/notifiers/index.ts',
  'sluice-sensors': 'src/sensors/index.ts',
  'sluice-operators': 'src/operators/index.ts',
  'sluice-extract-thread': 'src/providers/etl/extract-thread.ts',
};

/** esbuild's `import.meta.url` of a bundle is the bundle file's: each of our modules gets its source file's instead. */
const sourceImportMetaUrl = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|mjs|js)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        // Not where it is quoted: bundle.ts names it as a key of esbuild's `define`.
        contents: text.replace(/(?<!['"`])\bimport\.meta\.url\b(?!['"`])/g, JSON.stringify(pathToFileURL(args.path).href)),
        loader: /\.m?ts$/.test(args.path) ? 'ts' : 'js',
      };
    });
  },
};

/** Where bundles and their indexes are written. */
const CACHE = path.join(INSTALLATION_ROOT, 'node_modules', '.cache', 'sluice');
/** The folders whose files a bundle of Sluice's own code is made of. */
const SOURCE_FOLDERS = ['src', 'workers'];

/**
 * Bundles `entries` (output name → source file relative to the installation) into
 * node_modules/.cache/sluice/<name>-<hash of the output>/, unless a process did already, and
 * returns that folder; entry `x` is its file `x.mjs`. Building takes some 0.1 to 0.5 s of CPU;
 * when no source file has changed since a process last built it, the bundle is found through its
 * index instead, in a few milliseconds, without esbuild.
 */
export async function buildOwnBundle(name, entries) {
  const index = path.join(CACHE, `${name}-sources-${sourcesFingerprint(name, entries)}`);
  const known = await readFile(index, 'utf8').catch(() => undefined);
  if (known && (await exists(path.join(CACHE, known, `${Object.keys(entries)[0]}.mjs`)))) return path.join(CACHE, known);
  const dir = await buildNow(name, entries);
  await mkdir(CACHE, { recursive: true });
  // Written beside, then renamed into place, as the bundle is: never read half written.
  const temporary = `${index}.${process.pid}.tmp`;
  await writeFile(temporary, path.basename(dir));
  await rename(temporary, index);
  return dir;
}

/**
 * What the sources of a bundle are on disk: the path, size and modification time of every file of
 * SOURCE_FOLDERS, and of the installed packages' lock (esbuild's version among them).
 */
function sourcesFingerprint(name, entries) {
  const hash = createHash('sha256').update(JSON.stringify([name, entries, process.version]));
  const files = ['package.json', path.join('node_modules', '.package-lock.json')];
  for (const folder of SOURCE_FOLDERS) {
    for (const file of readdirSync(path.join(INSTALLATION_ROOT, folder), { recursive: true })) files.push(path.join(folder, String(file)));
  }
  for (const file of files.sort()) {
    try {
      const s = statSync(path.join(INSTALLATION_ROOT, file));
      if (s.isFile()) hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
    } catch {
      // Gone since it was listed, or never there (an installation without a lock file).
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** esbuild's API, once a bundle had to be built here. */
let esbuild;

async function buildNow(name, entries) {
  esbuild ??= await import('esbuild');
  const { build } = esbuild;
  const outdir = '/sluice-bundle';
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries({ ...entries, ...OWN_PACKAGE_ENTRIES }).map(([out, file]) => [out, path.join(INSTALLATION_ROOT, file)])),
    absWorkingDir: INSTALLATION_ROOT,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Written after bundling, so this import.meta.url is the file's own. Quoted apart: this
    // module is bundled too (into a worker), where the rewrite would otherwise change it.
    banner: { js: `const __sluiceBundleUrl = ${'import.meta.url'};` },
    plugins: [sourceImportMetaUrl],
    write: false,
    logLevel: 'silent',
    keepNames: true,
  });
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(file.path).update(file.text);
  const dir = path.join(CACHE, `${name}-${hash.digest('hex').slice(0, 16)}`);
  const marker = path.join(dir, `${Object.keys(entries)[0]}.mjs`);
  if (await exists(marker)) return dir;
  // Written beside, then renamed into place: a process starting at the same moment never runs half a bundle.
  const temporary = `${dir}.${process.pid}.${Date.now()}.tmp`;
  for (const file of result.outputFiles) {
    const target = path.join(temporary, path.relative(outdir, file.path));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.text);
  }
  try {
    await rename(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (!(await exists(marker))) throw error;
  }
  return dir;
}

/**
 * Ends esbuild's service process, if a build here started it: it would otherwise stay for the life
 * of this process (some 23 MB). Only where nothing else uses esbuild: under tsx, its next
 * compilation would start the service again.
 */
export async function stopBundler() {
  await esbuild?.stop();
}

async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

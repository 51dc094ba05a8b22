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
// (src/core/bundled.ts). Every bundle has `sluice` and `sluice/providers` as entries of their
// own (sluice.mjs, sluice-providers.mjs): the packages a DAG imports that import `sluice`
// themselves are given those (register.ts), the same modules the DAG's own code gets.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const INSTALLATION_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The entries every bundle has besides its own: what `sluice` and `sluice/providers` are in it. */
export const OWN_PACKAGE_ENTRIES = { sluice: 'src/index.ts', 'sluice-providers': 'src/providers/index.ts' };

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

/**
 * Bundles `entries` (output name → source file relative to the installation) into
 * node_modules/.cache/sluice/<name>-<hash of the output>/, unless a process did already, and
 * returns that folder; entry `x` is its file `x.mjs`. Building takes some 0.1 to 0.5 s.
 */
export async function buildOwnBundle(name, entries) {
  const { build } = await import('esbuild');
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
  const dir = path.join(INSTALLATION_ROOT, 'node_modules', '.cache', 'sluice', `${name}-${hash.digest('hex').slice(0, 16)}`);
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
 * Ends esbuild's service process, which the first build started and which would otherwise stay
 * for the life of this process. Only where nothing else uses esbuild: under tsx, its next
 * compilation would start the service again.
 */
export async function stopBundler() {
  const { stop } = await import('esbuild');
  await stop();
}

async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

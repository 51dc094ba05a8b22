/**
 * The code runner processes run: runner-main.ts and what it imports (the authoring API, try
 * execution, code loading; `sluice` and `sluice/providers` as chunks loaded when a DAG's code asks
 * for them), bundled to JavaScript once per worker start. A runner then starts with plain Node,
 * without the TypeScript loader the rest of Sluice runs under: in a third of the time and about
 * half the memory (tsx alone holds some 37 MB). Packages stay imports, resolved from this
 * installation's node_modules, which is why the bundle is written below it.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const INSTALLATION_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let built: Promise<string> | undefined;

/**
 * Builds the bundle (about 0.1 s) into node_modules/.cache/sluice/runner-<hash of its content>/
 * unless a worker already did, and returns its entry file. Once per process (several workers of
 * one process, as in tests, share it); a failed build is tried again by the next worker.
 */
export function buildRunnerBundle(): Promise<string> {
  if (!built) {
    built = buildNow();
    built.catch(() => (built = undefined));
  }
  return built;
}

async function buildNow(): Promise<string> {
  const outdir = '/sluice-runner';
  const result = await build({
    entryPoints: { 'runner-main': path.join(INSTALLATION_ROOT, 'workers/runner/runner-main.ts') },
    absWorkingDir: INSTALLATION_ROOT,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    keepNames: true,
  });
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(file.path).update(file.text);
  const dir = path.join(INSTALLATION_ROOT, 'node_modules', '.cache', 'sluice', `runner-${hash.digest('hex').slice(0, 16)}`);
  const entry = path.join(dir, 'runner-main.mjs');
  if (await exists(entry)) return entry;
  // Written beside, then renamed into place: a worker starting at the same moment never runs half a bundle.
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
    if (!(await exists(entry))) throw error;
  }
  return entry;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

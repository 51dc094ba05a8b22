/**
 * Bundles a DAG file with the local modules it imports into one script: the code a DAG version
 * runs, stored in the metadata database so that workers need no DAGs folder. Packages (`sluice`,
 * `pg`, a user's own node_modules) stay imports (`require` calls), resolved where the code runs
 * (load-code.ts). Text files a DAG imports (`import sql from './q.sql'`) are bundled as strings.
 *
 * The bundle is CommonJS, not an ES module, so that a process loads a version by compiling one
 * function (0.4 ms for a 20-task DAG) rather than through the module loader and its hooks (6 ms,
 * a file written to disk, and a module that is never freed): a worker loads every version it
 * runs, and runner processes each load theirs. The price: no top-level await in DAG files.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Message } from 'esbuild';
import { IMPORT_META_URL } from './load-code.ts';

export interface DagCode {
  /** sha256 of `code`: the same bundle always hashes the same, wherever the DAGs folder is. */
  codeHash: string;
  /** The bundle: a CommonJS module whose `exports.default` is the DAG (load-code.ts runs it). */
  code: string;
  /**
   * Its source map (JSON) with sources relative to the DAGs folder and no sourceRoot: kept apart
   * from the code so that the hash does not depend on where the folder is; the loader appends it
   * with the local folder as root, so stack traces name the original files and lines.
   */
  sourceMap: string;
  /** The text of the DAG file and of every local module it imports, by path relative to the DAGs folder. */
  sources: Record<string, string>;
}

/** Extensions bundled as a string (their default export). */
export const TEXT_EXTENSIONS = ['.sql', '.txt', '.md', '.csv', '.tsv', '.yaml', '.yml'];

/** Why a DAG file could not be bundled: esbuild's messages, with file, line and column. */
export class BundleError extends Error {}

export async function bundleDagFile(absolutePath: string, root: string): Promise<DagCode> {
  let result;
  try {
    result = await build({
      entryPoints: [absolutePath],
      absWorkingDir: root,
      // Only names the output for the map's relative paths: nothing is written.
      outfile: path.join(root, '__sluice_bundle.cjs'),
      write: false,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      // The DAG file's own URL where the code is loaded (load-code.ts passes it in).
      define: { 'import.meta.url': IMPORT_META_URL },
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      loader: Object.fromEntries(TEXT_EXTENSIONS.map((ext) => [ext, 'text' as const])),
      // Kept as written: task and DAG ids come from strings, but stack traces read better unmangled.
      keepNames: true,
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!errors?.length) throw error;
    throw new BundleError(errors.slice(0, 5).map((m) => describeMessage(m, root)).join('; '));
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text;
  const sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || sourceMap === undefined) throw new Error(`esbuild gave no bundle for ${absolutePath}`);
  const sources: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    sources[input] = await readFile(path.resolve(root, input), 'utf8');
  }
  // The map's own comment names the output file: the loader adds its own (withSourceMap).
  const withoutComment = code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n');
  return { codeHash: createHash('sha256').update(withoutComment).digest('hex'), code: withoutComment, sourceMap, sources };
}

/** "lib/helper.ts:3:14: Could not resolve "./missing.ts"", as users read a compiler's error. */
function describeMessage(m: Message, root: string): string {
  const text = /top-level await/i.test(m.text)
    ? 'top-level await is not supported in DAG files: do asynchronous work inside a task, or at its start'
    : m.text;
  if (!m.location) return text;
  const file = path.relative(root, path.resolve(root, m.location.file)) || m.location.file;
  return `${file}:${m.location.line}:${m.location.column + 1}: ${text}`;
}

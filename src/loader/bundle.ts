/**
 * Bundles a DAG file with the local modules it imports into one ES module: the code a DAG version
 * runs, stored in the metadata database so that workers need no DAGs folder. Packages (`sluice`,
 * `pg`, a user's own node_modules) stay imports, resolved where the code runs (load-code.ts). Text
 * files a DAG imports (`import sql from './q.sql'`) are bundled as strings.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Message } from 'esbuild';

export interface DagCode {
  /** sha256 of `code`: the same bundle always hashes the same, wherever the DAGs folder is. */
  codeHash: string;
  /** The bundle: an ES module whose default export is the DAG. */
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
      outfile: path.join(root, '__sluice_bundle.mjs'),
      write: false,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
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
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))?.text;
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
  if (!m.location) return m.text;
  const file = path.relative(root, path.resolve(root, m.location.file)) || m.location.file;
  return `${file}:${m.location.line}:${m.location.column + 1}: ${m.text}`;
}

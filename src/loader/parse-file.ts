/**
 * Parses one DAG file: bundles it with its local imports (bundle.ts), imports the bundle
 * (load-code.ts) and builds its DAG's spec. What the scheduler stores as a DAG version is exactly
 * the code imported here, so what was checked is what workers run.
 */
import { createHash } from 'node:crypto';
import type { DagSpec } from '../core/spec.ts';
import { specHash } from '../core/spec.ts';
import type { Dag } from '../sdk/dag.ts';
import { isDag } from '../sdk/dag.ts';
import { bundleDagFile, BundleError, type DagCode } from './bundle.ts';
import { loadCode, remapStack } from './load-code.ts';

/**
 * A file's outcome; `code` whenever it bundled (its `sources` name the files it is made of).
 * `dag` (its task functions) when parsed in this process: a parser process sends the rest.
 */
export type FileOutcome =
  | { kind: 'dag'; dag?: Dag; spec: DagSpec; versionHash: string; code: DagCode }
  | { kind: 'not-a-dag'; code: DagCode }
  | { kind: 'error'; message: string; code?: DagCode };

/**
 * `fileloc` is relative to `root`, the DAGs folder. Never throws for anything the file does: a
 * file that does not bundle, throws while imported, or defines an invalid DAG is an error outcome.
 */
export async function parseDagFile(root: string, fileloc: string, absolutePath: string): Promise<FileOutcome> {
  let code: DagCode;
  try {
    code = await bundleDagFile(absolutePath, root);
  } catch (error) {
    if (error instanceof BundleError) return { kind: 'error', message: error.message };
    return { kind: 'error', message: `cannot read the file: ${(error as Error).message}` };
  }
  let module: { default?: unknown };
  try {
    module = await loadCode(code, root, fileloc);
  } catch (error) {
    return { kind: 'error', message: describeImportFailure(error, root, fileloc), code };
  }
  if (!isDag(module.default)) return { kind: 'not-a-dag', code };
  try {
    const spec = module.default.toSpec();
    return { kind: 'dag', dag: module.default, spec, versionHash: versionHashOf(spec, code.codeHash), code };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message, code };
  }
}

/**
 * A version is its structure and its code: a change to either (a helper module's code too) is a
 * new version, and the same file parsed anywhere gives the same hash.
 */
export function versionHashOf(spec: DagSpec, codeHash: string): string {
  return createHash('sha256').update(specHash(spec)).update('\n').update(codeHash).digest('hex');
}

/**
 * The error's message, with the line of the file it came from when the stack tells (the bundle's
 * source map gives the original files: the DAG file, or a helper it imports).
 */
function describeImportFailure(error: unknown, root: string, fileloc: string): string {
  if (!(error instanceof Error)) return `the file threw ${String(error)} while being imported`;
  const prefix = root.replace(/\/?$/, '/');
  const frame = remapStack(error.stack ?? '')
    .split('\n')
    .slice(1)
    .find((line) => line.includes(prefix) && !line.includes('node_modules'));
  const where = frame ? /([^\s(]+):(\d+):(\d+)\)?\s*$/.exec(frame) : null;
  if (!where || /\(bundle [0-9a-f]+\)/.test(frame!)) return error.message;
  const file = where[1]!.startsWith(prefix) ? where[1]!.slice(prefix.length) : where[1]!;
  return file === fileloc ? `${error.message} (line ${where[2]}, column ${where[3]})` : `${error.message} (${file}, line ${where[2]}, column ${where[3]})`;
}

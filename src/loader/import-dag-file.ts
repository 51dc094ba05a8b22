import { pathToFileURL } from 'node:url';
import type { DagSpec } from '../core/spec.ts';
import { specHash } from '../core/spec.ts';
import type { Dag } from '../sdk/dag.ts';
import { isDag } from '../sdk/dag.ts';
import { ensureSluiceResolvable } from './register.ts';
import { asImportOf } from './stray-errors.ts';

export interface LoadedDag {
  dag: Dag;
  readonly spec: DagSpec;
  readonly versionHash: string;
}

export type ImportOutcome = { kind: 'dag'; loaded: LoadedDag } | { kind: 'not-a-dag' } | { kind: 'error'; message: string };

export interface ImportOptions {
  /**
   * false: the DAG's spec is built (and its structure checked: a cycle, say) only when first
   * asked for, and an invalid one throws then. For a worker, which takes the task functions of
   * versions the scheduler has already checked and stored: building a 5,000-task spec at the
   * first try of a run cost it 160 ms it never used. Default true.
   */
  validate?: boolean;
}

/**
 * Imports one DAG file and validates its DAG. `version` changes whenever the file does: the ESM
 * cache is keyed by URL, so a new query string makes Node read the new text.
 */
export async function importDagFile(absolutePath: string, version: string, options: ImportOptions = {}): Promise<ImportOutcome> {
  ensureSluiceResolvable();
  let module: { default?: unknown };
  try {
    const url = `${pathToFileURL(absolutePath).href}?v=${encodeURIComponent(version)}`;
    module = (await asImportOf(absolutePath, () => import(url))) as { default?: unknown };
  } catch (error) {
    return { kind: 'error', message: describeImportFailure(error, absolutePath) };
  }
  if (!isDag(module.default)) return { kind: 'not-a-dag' };
  if (options.validate === false) return { kind: 'dag', loaded: loadedDag(module.default) };
  try {
    return { kind: 'dag', loaded: loadedDag(module.default, module.default.toSpec()) };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

/**
 * A DAG with its spec (made here when not given: see ImportOptions.validate) and its version
 * hash, made when first asked for: the scheduler's sync needs the hash, a worker that imports the
 * file for its task functions does not (a 5,000-task spec takes 120 ms to hash).
 */
function loadedDag(dag: Dag, validated?: DagSpec): LoadedDag {
  let spec = validated;
  let versionHash: string | undefined;
  return {
    dag,
    get spec() {
      return (spec ??= dag.toSpec());
    },
    get versionHash() {
      return (versionHash ??= specHash(this.spec));
    },
  };
}

/** The error's message, with the line of the DAG file it came from when the stack tells. */
function describeImportFailure(error: unknown, absolutePath: string): string {
  if (!(error instanceof Error)) return `the file threw ${String(error)} while being imported`;
  const fileUrl = pathToFileURL(absolutePath).href;
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.includes(fileUrl) || line.includes(absolutePath));
  const where = frame ? /:(\d+):(\d+)\)?\s*$/.exec(frame) : null;
  const message = error.message.replace(/\?v=[^\s:)]*/g, '');
  return where ? `${message} (line ${where[1]}, column ${where[2]})` : message;
}

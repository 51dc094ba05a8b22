/**
 * The task functions of DAG versions' code (version-codes.ts fetches it): loaded in this process,
 * once per code, for inline tries and in each runner process for its own. No database here: a
 * runner process has none.
 */
import type { VersionCode } from '../src/store/dag-versions.ts';
import { cachedPromise } from '../src/core/promise-cache.ts';
import { loadCode } from '../src/loader/load-code.ts';
import { isDag, type Dag } from '../src/sdk/dag.ts';
import type { TaskFn } from '../src/sdk/context.ts';

/** Why a task's function could not be had: written to the try's log, and the try fails. */
export class TaskCodeError extends Error {}

export const shortVersion = (version: string) => version.slice(0, 12);

/** The task functions of loaded code, by code hash. */
export class TaskFunctions {
  private readonly dags = new Map<string, Promise<Dag>>();

  constructor(
    /** The local DAGs folder (need not exist): where stack traces place the files, and packages resolve from first. */
    private readonly dagsFolder: string,
  ) {}

  /** Whether the code of this hash is loaded (or loading) here. */
  has(codeHash: string): boolean {
    return this.dags.has(codeHash);
  }

  async get(code: VersionCode, dagId: string, version: string, taskId: string): Promise<TaskFn> {
    const dag = await this.dag(code, dagId);
    const fn = dag.getTask(taskId)?.fn;
    if (!fn) throw new TaskCodeError(`version ${shortVersion(version)} of DAG ${dagId} has no task ${taskId}`);
    return fn;
  }

  /** The DAG that loaded code defines (its callbacks live there: workers/callback-functions.ts). */
  dag(code: VersionCode, dagId: string): Promise<Dag> {
    return cachedPromise(this.dags, code.codeHash, () => this.load(code, dagId));
  }

  private async load(code: VersionCode, dagId: string): Promise<Dag> {
    let module: { default?: unknown };
    try {
      module = await loadCode(code, this.dagsFolder, code.fileloc);
    } catch (error) {
      throw new TaskCodeError(`the code of DAG ${dagId} (${code.fileloc}, code ${shortVersion(code.codeHash)}) failed to load here: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!isDag(module.default) || module.default.dagId !== dagId) {
      throw new TaskCodeError(`the code stored for DAG ${dagId} (${code.fileloc}) does not define that DAG`);
    }
    return module.default;
  }
}

/**
 * The task functions of DAG versions, from the code stored with each version (no DAGs folder
 * needed): a try runs its run's version. Each version's code is fetched and imported once per
 * process; the tries of a version that start together share one fetch.
 */
import type { Db } from '../src/store/db.ts';
import { getVersionCode } from '../src/store/dag-versions.ts';
import { loadCode } from '../src/loader/load-code.ts';
import { isDag, type Dag } from '../src/sdk/dag.ts';
import type { TaskFn } from '../src/sdk/context.ts';

/** Why a task's function could not be had: written to the try's log, and the try fails. */
export class TaskCodeError extends Error {}

export class TaskFunctions {
  private readonly versions = new Map<string, Promise<Dag>>();

  constructor(
    private readonly db: Db,
    /** The local DAGs folder (need not exist): where stack traces place the files, and packages resolve from first. */
    private readonly dagsFolder: string,
  ) {}

  async get(dagId: string, version: string, taskId: string): Promise<TaskFn> {
    const dag = await this.dag(dagId, version);
    const fn = dag.getTask(taskId)?.fn;
    if (!fn) throw new TaskCodeError(`version ${short(version)} of DAG ${dagId} has no task ${taskId}`);
    return fn;
  }

  /** A failed load is forgotten, so the next try asks again (the database may have been away). */
  private dag(dagId: string, version: string): Promise<Dag> {
    const key = `${dagId}\u0000${version}`;
    let dag = this.versions.get(key);
    if (!dag) {
      dag = this.load(dagId, version);
      dag.catch(() => this.versions.delete(key));
      this.versions.set(key, dag);
    }
    return dag;
  }

  private async load(dagId: string, version: string): Promise<Dag> {
    const code = await getVersionCode(this.db, dagId, version);
    if (!code) {
      throw new TaskCodeError(
        `version ${short(version)} of DAG ${dagId} has no stored code (it was stored by an older Sluice), and neither has the DAG's ` +
          'current version: start a scheduler of this Sluice version, which stores the code of each DAG file it parses, then clear the task',
      );
    }
    let module: { default?: unknown };
    try {
      module = await loadCode(code, this.dagsFolder, code.fileloc);
    } catch (error) {
      throw new TaskCodeError(`the code of DAG ${dagId} (${code.fileloc}, version ${short(code.fromCurrent ? code.codeHash : version)}) failed to import on this worker: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!isDag(module.default) || module.default.dagId !== dagId) {
      throw new TaskCodeError(`the code stored for version ${short(version)} of DAG ${dagId} does not define that DAG`);
    }
    return module.default;
  }
}

const short = (version: string) => version.slice(0, 12);

/**
 * `triggerDag(dagId, { conf?, logicalDate?, waitForCompletion?, pokeInterval?, failedStates? })`:
 * a task function that creates a manual run of another DAG, as Airflow's TriggerDagRunOperator.
 * The run is made by the engine's own triggerDagRun, the API's (so a conf is checked against the
 * DAG's typed params as there), and records the task instance that made it (`triggeredBy`).
 */
import { formatDuration, parseDuration } from '../core/durations.ts';
import { showValue } from '../core/show-value.ts';
import { DAG_RUN_STATES, FINISHED_RUN_STATES, type DagRunState } from '../core/states.ts';
import { triggerDagRun } from '../engine/actions.ts';
import { SluiceError } from '../errors.ts';
import type { TaskContext } from '../sdk/context.ts';
import { FailTask, RescheduleTask } from '../sdk/errors.ts';
import type { Duration } from '../sdk/options.ts';
import { checkJsonObject, checkKeys } from '../sdk/validate.ts';
import { checkDateResult, checkStates, optionalFunction, requireText } from '../sensors/checks.ts';
import { metadataDb } from '../sensors/metadata-db.ts';
import type { Db } from '../store/db.ts';
import { runsTriggeredBy, type DagRunRecord, type TriggeringTask } from '../store/runs.ts';

type Conf = Record<string, unknown>;

export interface TriggerDagOptions {
  /** The run's conf (merged over the DAG's params), or a function of this run giving it. */
  conf?: Conf | ((ctx: TaskContext) => Conf | Promise<Conf>);
  /** The run's logical date; default: now, as a manual trigger. */
  logicalDate?: (ctx: TaskContext) => Date;
  /** Wait, as a sensor in reschedule mode, until the run has finished; default false. */
  waitForCompletion?: boolean;
  /** How long between looks at the run while waiting; default '10s'. */
  pokeInterval?: Duration;
  /** Run states that fail this task (without retries) while waiting; default ['failed']. */
  failedStates?: DagRunState[];
}

export interface TriggerDagResult {
  dagRunId: string;
  /** The run's final state, when the task waited for it. */
  state?: DagRunState;
}

const KEYS = ['conf', 'logicalDate', 'waitForCompletion', 'pokeInterval', 'failedStates'] as const;
const DEFAULT_POKE_MS = 10_000;

export function triggerDag(dagId: string, options: TriggerDagOptions = {}): (ctx: TaskContext) => Promise<TriggerDagResult> {
  const fn = `triggerDag(${showValue(dagId)})`;
  requireText(dagId, 'triggerDag(): the DAG id', "triggerDag('orders_daily')");
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${fn} takes an options object as its second argument, e.g. triggerDag('orders_daily', { waitForCompletion: true }); got ${showValue(options)}`);
  }
  const given = checkKeys(options, fn, KEYS, 'triggerDag');
  const confOf = typeof given.conf === 'function' ? (given.conf as (ctx: TaskContext) => Conf | Promise<Conf>) : undefined;
  const fixedConf = given.conf === undefined || confOf ? undefined : checkJsonObject(given.conf, `${fn}: conf`, 'conf');
  const logicalDateOf = optionalFunction<(ctx: TaskContext) => Date>(given.logicalDate, `${fn}: logicalDate`, 'logicalDate: (ctx) => ctx.logicalDate');
  if (given.waitForCompletion !== undefined && typeof given.waitForCompletion !== 'boolean') {
    throw new Error(`${fn}: waitForCompletion must be true or false; got ${showValue(given.waitForCompletion)}`);
  }
  const wait = given.waitForCompletion === true;
  const pokeMs = given.pokeInterval === undefined ? DEFAULT_POKE_MS : parseDuration(given.pokeInterval, `${fn}: pokeInterval`);
  const failedStates = checkStates(given.failedStates, `${fn}: failedStates`, DAG_RUN_STATES, ['failed']);

  return async (ctx) => {
    const db = metadataDb();
    const me: TriggeringTask = { dagId: ctx.dagId, runId: ctx.runId, taskId: ctx.taskId, mapIndex: ctx.mapIndex };
    // A retry (or a reschedule while waiting) finds the run an earlier try of this very task
    // instance made, by the record that try left, rather than guessing a logical date.
    const earlier = (await runsTriggeredBy(db, me.dagId, me.runId, me)).filter((r) => r.dagId === dagId).at(-1);
    let run: DagRunRecord;
    if (earlier) {
      run = earlier;
      ctx.log.info({ dagId, dagRunId: run.runId, state: run.state }, `run "${run.runId}" of DAG "${dagId}", which this task triggered before, is ${run.state}`);
    } else {
      const conf = confOf ? checkJsonObject(await confOf(ctx), `${fn}: conf`, 'conf') : fixedConf;
      const logicalDate = logicalDateOf ? checkDateResult(await logicalDateOf(ctx), `${fn}: logicalDate`) : undefined;
      run = await create(db, fn, dagId, { conf, logicalDate, triggeredBy: me });
      ctx.log.info({ dagId, dagRunId: run.runId }, `triggered run "${run.runId}" of DAG "${dagId}"`);
    }
    if (!wait) return { dagRunId: run.runId };
    if (failedStates.includes(run.state)) {
      throw new FailTask(`run "${run.runId}" of DAG "${dagId}" ended ${run.state}, one of failedStates [${failedStates.join(', ')}]`);
    }
    // A finished state not in failedStates is done: waiting longer could not change it.
    if ((FINISHED_RUN_STATES as readonly string[]).includes(run.state)) return { dagRunId: run.runId, state: run.state };
    throw new RescheduleTask(pokeMs, `run "${run.runId}" of DAG "${dagId}" is ${run.state}; looking again in ${formatDuration(pokeMs)}`);
  };
}

/**
 * The run, through the engine. What the API answers with 404 (no such DAG), 400 (a conf its
 * params refuse) or 409 (a run for that logical date exists) fails the task at once: no retry
 * would change it, and the message says what to fix in the DAG file.
 */
async function create(db: Db, fn: string, dagId: string, request: Parameters<typeof triggerDagRun>[2]): Promise<DagRunRecord> {
  try {
    // Without a logicalDate, "now": the engine takes the first moment free of the DAG's runs, so
    // a mapped task's instances triggering one DAG at once get a run each.
    return await triggerDagRun(db, dagId, request);
  } catch (error) {
    if (!(error instanceof SluiceError)) throw error;
    const fix =
      error.status === 404
        ? `; check the DAG id given to ${fn} (and that its file imports without errors: "sluice dags errors")`
        : error.code === 'invalid_conf'
          ? `; fix the conf given to ${fn}`
          : error.status === 409
            ? `; give ${fn} another logicalDate, or none (now)`
            : '';
    // The engine's own hint ("pick another logical date") speaks to API users; this one to the DAG's author.
    throw new FailTask(`${fn} could not trigger DAG "${dagId}": ${error.message.replace(/; pick another logical date$/, '')}${fix}`);
  }
}

/**
 * A runner process: runs the tries its worker sends it, one at a time, each with executeTry as an
 * inline worker would, and sends back their log lines, XCom questions and outcomes. It holds no
 * connection of its own: the worker reads XComs for it, and stores what it sends. Its worker
 * kills it when a try must end and its code does not (runner.ts); it exits by itself when its
 * worker goes (the IPC channel closes), once whatever it runs has finished.
 */
import { createLogger } from '../../src/log.ts';
import { taskErrorLine } from '../../src/log-format.ts';
import { executeTry, type TryExecution } from '../execute.ts';
import { catchStrayErrors } from '../stray-errors.ts';
import { TaskCodeError, TaskFunctions } from '../task-functions.ts';
import type { TaskConnection, TaskVariable } from '../../src/sdk/context.ts';
import type { FromRunner, Question, RunRequest, ToRunner } from './protocol.ts';

// Once its worker has gone (the IPC channel closed), a runner's lines and outcome have nowhere to
// go: dropped, not sent to fail as an 'error' event nobody listens to.
const send = (message: FromRunner) => {
  if (process.connected) process.send?.(message);
};
const log = createLogger(process.env.SLUICE_LOG_LEVEL ?? 'info', 'runner');
// A task's stray rejection fails its own try (and after it, is logged), never this process.
catchStrayErrors(log);
const functions = new TaskFunctions(process.env.SLUICE_DAGS_FOLDER ?? './dags');

let stop: AbortController | undefined;
const answers = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextQuestion = 0;

/** Asks the worker (XComs, connections and variables are read there) and waits for its answer. */
function ask(question: Question): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = nextQuestion++;
    answers.set(id, { resolve, reject });
    send({ type: 'ask', id, question });
  });
}

/**
 * Lines are sent once per turn of the event loop, not one message each; those still pending when
 * the try ends go with its outcome (a short try's lines and outcome are one message, not two).
 */
let pending: string[] = [];
function writeLog(line: string): void {
  if (pending.length === 0) setImmediate(flushLog);
  pending.push(line);
}
function flushLog(): void {
  if (pending.length === 0) return;
  send({ type: 'log', lines: takePending() });
}
function takePending(): string[] {
  const lines = pending;
  pending = [];
  return lines;
}

async function run(request: RunRequest): Promise<TryExecution> {
  let fn;
  try {
    if (!request.code && !functions.has(request.codeHash)) throw new Error(`internal error: the worker sent no code for ${request.codeHash}`);
    fn = await functions.get(request.code ?? { codeHash: request.codeHash, code: '', sourceMap: null, fileloc: '' }, request.dagId, request.version, request.taskId);
  } catch (error) {
    const message = error instanceof TaskCodeError ? error.message : `could not load the task's code: ${(error as Error).message}`;
    writeLog(taskErrorLine(message));
    return { result: { kind: 'failed', error: message, retryable: true } };
  }
  stop = new AbortController();
  return executeTry({
    fn,
    dagId: request.dagId,
    runId: request.runId,
    taskId: request.taskId,
    mapIndex: request.mapIndex,
    mapItem: request.mapItem,
    tryNumber: request.tryNumber,
    maxTries: request.maxTries,
    tryStartDate: request.tryStartDate,
    rescheduleCount: request.rescheduleCount,
    logicalDate: request.logicalDate,
    dataIntervalStart: request.dataIntervalStart,
    dataIntervalEnd: request.dataIntervalEnd,
    params: request.params,
    triggeringAssetEvents: request.triggeringAssetEvents,
    executionTimeoutMs: request.executionTimeoutMs,
    logLevel: request.logLevel,
    writeLog,
    cancel: stop.signal,
    xcom: (taskId) => ask({ kind: 'xcom', taskId }),
    secrets: {
      connection: async (connectionId) => (await ask({ kind: 'connection', connectionId })) as TaskConnection | undefined,
      variable: async (key) => (await ask({ kind: 'variable', key })) as TaskVariable | undefined,
    },
  });
}

process.on('message', (message: ToRunner) => {
  switch (message.type) {
    case 'run':
      void run(message.request).then((execution) => {
        stop = undefined;
        send({ type: 'done', execution, lines: takePending(), codeLoaded: functions.has(message.request.codeHash) });
      });
      break;
    case 'stop':
      stop?.abort();
      break;
    case 'load':
      // Ahead of any try of it: a failure is reported by the tries that need the code.
      void functions.dag(message.code, message.dagId).then(
        () => send({ type: 'loaded', codeHash: message.code.codeHash, ok: true }),
        () => send({ type: 'loaded', codeHash: message.code.codeHash, ok: false }),
      );
      break;
    case 'answer': {
      const waiting = answers.get(message.id);
      answers.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.value);
      break;
    }
  }
});

send({ type: 'ready' });

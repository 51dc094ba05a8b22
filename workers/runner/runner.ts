/**
 * One runner process, as its worker sees it: started ahead of need, given one try at a time,
 * killed when a try must end and its code does not. Whatever the process does (blocks its event
 * loop, exits, runs out of memory), the worker's own event loop is untouched.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rssBytes } from '../../src/process-memory.ts';
import type { TryExecution } from '../execute.ts';
import type { TaskSecrets } from '../../src/engine/task-secrets.ts';
import type { CodeMessage, FromRunner, Question, RunRequest, ToRunner } from './protocol.ts';

/** Runner code under the TypeScript loader: for when the bundle cannot be built (runner-bundle.ts). */
export const TSX_ENTRY = fileURLToPath(new URL('./runner-entry.mjs', import.meta.url));

/** How a runner process ended: its exit code, or the signal that killed it. */
export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The runner's process ended while it ran a try. */
export class RunnerExited extends Error {
  constructor(readonly exit: RunnerExit) {
    super(
      exit.signal
        ? `its runner process was killed by ${exit.signal}`
        : `its runner process exited with code ${exit.code}${exit.code === 0 ? ' (did the task call process.exit()?)' : ''}`,
    );
  }
}

/** What a try in a runner needs from its worker while it runs. */
export interface RunnerHooks {
  writeLog: (line: string) => void;
  xcom: (taskId: string) => Promise<unknown>;
  secrets: TaskSecrets;
}

export interface RunnerOptions {
  /** The runner code's entry file: the bundle (runner-bundle.ts), or TSX_ENTRY. */
  entry: string;
  /** V8 flags for the process (its heap policy). */
  execArgv: string[];
  env: NodeJS.ProcessEnv;
}

export class Runner {
  private readonly child: ChildProcess;
  /** Code hashes the process has loaded: their next tries need not send the code. */
  readonly loaded = new Set<string>();
  /** The code hash it is loading ahead of its tries (preload), until it says it has. */
  warming: string | undefined;
  /** Resolves once the process can take a try; rejects if it ends first. */
  readonly ready: Promise<void>;
  /** Resolves when the process has ended, however. */
  readonly exited: Promise<RunnerExit>;
  private exit: RunnerExit | undefined;
  private current: { hooks: RunnerHooks; resolve: (e: TryExecution) => void; reject: (e: Error) => void; codeHash: string } | undefined;
  /** Tries run to their end here; the pool retires a runner after enough (their versions stay loaded). */
  tries = 0;

  constructor(options: RunnerOptions) {
    this.child = fork(options.entry, [], { execArgv: options.execArgv, env: options.env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let onReady: () => void = () => undefined;
    let onFailedStart: (e: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      onReady = resolve;
      onFailedStart = reject;
    });
    // Whoever takes the runner waits for it; one started ahead of need may end unwaited for.
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        onFailedStart(new Error(`a runner process could not start: ${new RunnerExited(this.exit).message}`));
        this.current?.reject(new RunnerExited(this.exit));
        this.current = undefined;
        resolve(this.exit);
      });
    });
    // An IPC write to a process that just died: its exit says what happened.
    this.child.on('error', () => undefined);
    this.child.on('message', (message: FromRunner) => {
      switch (message.type) {
        case 'ready':
          onReady();
          break;
        case 'log':
          for (const line of message.lines) this.current?.hooks.writeLog(line);
          break;
        case 'ask':
          void this.answer(message.id, message.question);
          break;
        case 'loaded':
          if (this.warming === message.codeHash) this.warming = undefined;
          if (message.ok) this.loaded.add(message.codeHash);
          break;
        case 'done': {
          const current = this.current;
          this.current = undefined;
          for (const line of message.lines) current?.hooks.writeLog(line);
          if (current && message.codeLoaded) this.loaded.add(current.codeHash);
          else if (current) this.loaded.delete(current.codeHash);
          this.tries++;
          current?.resolve(message.execution);
          break;
        }
      }
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Runs one try; rejects with RunnerExited if the process ends before the try does. */
  run(request: RunRequest, hooks: RunnerHooks): Promise<TryExecution> {
    if (this.current) throw new Error('internal error: a runner was given a try while it ran another');
    if (this.exit) return Promise.reject(new RunnerExited(this.exit));
    return new Promise((resolve, reject) => {
      this.current = { hooks, resolve, reject, codeHash: request.codeHash };
      this.send({ type: 'run', request });
    });
  }

  /**
   * Loads a version's code in the process ahead of its tries, if the process has loaded no code
   * and runs nothing: a blank runner only, so that warming costs one version's memory at most.
   * A try given to it meanwhile still sends its code (the process loads it once either way).
   */
  preload(code: CodeMessage, dagId: string): void {
    if (!this.alive || this.current || this.warming !== undefined || this.loaded.size > 0) return;
    this.warming = code.codeHash;
    this.send({ type: 'load', code, dagId });
  }

  /** Aborts the running try's signal. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /**
   * Ends the process: it is told nothing more will come (the IPC channel closes) and exits by
   * itself once whatever its tries started has finished; after `graceMs`, it is killed. Resolves
   * when it has ended.
   */
  async retire(graceMs: number): Promise<RunnerExit> {
    if (this.exit) return this.exit;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }

  /** The process's resident memory in bytes, or undefined where that cannot be read. */
  rssBytes(): number | undefined {
    return rssBytes(this.child.pid);
  }

  private send(message: ToRunner): void {
    if (this.child.connected) this.child.send(message);
  }

  private async answer(id: number, question: Question): Promise<void> {
    const hooks = this.current?.hooks;
    if (!hooks) return;
    try {
      const value =
        question.kind === 'xcom'
          ? await hooks.xcom(question.taskId)
          : question.kind === 'connection'
            ? await hooks.secrets.connection(question.connectionId)
            : await hooks.secrets.variable(question.key);
      this.send({ type: 'answer', id, value });
    } catch (error) {
      this.send({ type: 'answer', id, error: (error as Error).message });
    }
  }
}

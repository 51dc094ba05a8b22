/**
 * What a worker and its runner processes say to each other over the IPC channel (serialization
 * 'advanced': Dates and nested objects pass as they are). One try at a time per runner.
 */
import type { ContextFacts, TryExecution } from '../execute.ts';
import type { TriggeringAssetEvent } from '../../src/sdk/context.ts';

/** A version's code, sent with the first try of it a runner runs. */
export interface CodeMessage {
  codeHash: string;
  code: string;
  sourceMap: string | null;
  fileloc: string;
}

export interface RunRequest extends ContextFacts {
  executionTimeoutMs: number | null;
  logLevel: string;
  /** The run's DAG version (for messages) and its code's hash (what the runner caches by). */
  version: string;
  codeHash: string;
  /** Absent when the runner has loaded this code already. */
  code?: CodeMessage;
  /** What an asset-triggered run consumed; absent for other runs (ctx.triggeringAssetEvents is then []). */
  triggeringAssetEvents?: TriggeringAssetEvent[];
}

/** What a try's code asks its worker for while it runs: an upstream XCom, a connection, a variable. */
export type Question = { kind: 'xcom'; taskId: string } | { kind: 'connection'; connectionId: string } | { kind: 'variable'; key: string };

export type ToRunner =
  | { type: 'run'; request: RunRequest }
  /** Abort the running try's signal: it was cleared, marked, its run timed out, or its worker is stopping. */
  | { type: 'stop' }
  /** The answer to the question of the same id: its value, or the error message it failed with. */
  | { type: 'answer'; id: number; value?: unknown; error?: string }
  /** Load this version's code now, ahead of its tries (an idle runner warmed by its pool). */
  | { type: 'load'; code: CodeMessage; dagId: string };

export type FromRunner =
  | { type: 'ready' }
  /** Log lines of the running try, each a JSON object ending in a newline. */
  | { type: 'log'; lines: string[] }
  /** The task asked for something only the worker can read: it answers with the same id. */
  | { type: 'ask'; id: number; question: Question }
  /**
   * The try ended: its last log lines (those not sent yet) and its outcome. `codeLoaded`: the
   * try's code is loaded in the runner now (the next try of it need not send it).
   */
  | { type: 'done'; execution: TryExecution; lines: string[]; codeLoaded: boolean }
  /** The code a 'load' asked for is loaded (ok), or failed to load (its tries will say why). */
  | { type: 'loaded'; codeHash: string; ok: boolean };

/** Assertions the SDK's unit tests share. */
import assert from 'node:assert/strict';
import type { Task } from '../../src/sdk/dag.ts';
import { DagDefinitionError } from '../../src/sdk/errors.ts';

/** `fn` throws a DagDefinitionError with exactly `message` (a string) or matching it (a RegExp). */
export function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DagDefinitionError, `expected a DagDefinitionError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** The edges among `tasks` as 'a>b', sorted. */
export function edges(tasks: readonly Task[]): string[] {
  return tasks.flatMap((t) => t.downstreamIds.map((down) => `${t.taskId}>${down}`)).sort();
}

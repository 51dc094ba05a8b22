/**
 * GET /dags/:dagId/taskDurations (the UI's task-duration chart) and GET …/dagRuns/:runId/taskInstanceTries
 * (its Gantt chart), through the API: every try that started, a retried one as failed, a running
 * one without an end, a mapped task as one point per run, the latest runs only; and errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../../src/engine/actions.ts';
import type { ApiErrorBody, TaskDurationList, TaskTryList } from '../../../src/api/schemas/index.ts';
import { ApiFixture, client, dagSpec } from '../../support/api-fixture.ts';

describe('task durations and the tries of a run, through the API', () => {
  const fx = new ApiFixture();
  let api: ReturnType<typeof client>;
  const runIds: string[] = [];

  before(async () => {
    await fx.setUp();
    await fx.addDag(dagSpec('timed', ['extract', 'parts'], [['extract', 'parts']]));
    for (const day of [1, 2, 3]) runIds.push((await triggerDagRun(fx.db, 'timed', { logicalDate: new Date(Date.UTC(2026, 0, day)) })).runId);
    const [first, second] = runIds as [string, string, string];
    // Day 1: extract failed once (its first try in history), then succeeded in 3 s.
    await fx.db.query(
      `INSERT INTO task_tries (dag_id, run_id, task_id, try_number, state, start_date, end_date, duration_ms, error)
       VALUES ('timed', $1, 'extract', 1, 'failed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 1000, 'flaky'),
              ('timed', $1, 'extract', 2, 'success', '2026-01-01T00:00:05Z', '2026-01-01T00:00:08Z', 3000, NULL)`,
      [first],
    );
    await fx.db.query(
      `UPDATE task_instances SET state = 'success', try_number = 2, start_date = '2026-01-01T00:00:05Z', end_date = '2026-01-01T00:00:08Z', duration_ms = 3000
       WHERE dag_id = 'timed' AND run_id = $1 AND task_id = 'extract'`,
      [first],
    );
    // Day 1: parts mapped into 3 instances, 2 succeeded, 1 failed; from 00:00:10 to 00:00:16.
    await fx.db.query(
      `INSERT INTO task_instances
       SELECT (jsonb_populate_record(ti, to_jsonb(ti) || jsonb_build_object(
         'map_index', i, 'state', CASE WHEN i = 2 THEN 'failed' ELSE 'success' END, 'try_number', 1,
         'start_date', '2026-01-01T00:00:1' || i || 'Z', 'end_date', '2026-01-01T00:00:1' || (i * 3) || 'Z'))).*
       FROM task_instances ti, generate_series(0, 2) AS i WHERE ti.dag_id = 'timed' AND ti.run_id = $1 AND ti.task_id = 'parts'`,
      [first],
    );
    await fx.db.query(`DELETE FROM task_instances WHERE dag_id = 'timed' AND run_id = $1 AND task_id = 'parts' AND map_index = -1`, [first]);
    // Day 2: extract is running its first try.
    await fx.db.query(
      `UPDATE task_instances SET state = 'running', try_number = 1, start_date = '2026-01-02T00:00:00Z' WHERE dag_id = 'timed' AND run_id = $1 AND task_id = 'extract'`,
      [second],
    );
    // Day 3: nothing started yet.
    api = client((await fx.start()).url);
  });

  after(async () => {
    await fx.tearDown();
  });

  it('answers the latest runs, newest first, and each try that started', async () => {
    const reply = await api<TaskDurationList>('GET', '/api/v1/dags/timed/taskDurations');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(
      reply.body.dagRuns.map((r) => [r.dagRunId, r.logicalDate]),
      [...runIds].reverse().map((id, i) => [id, new Date(Date.UTC(2026, 0, 3 - i)).toISOString()]),
    );
    const points = reply.body.taskDurations.map((p) => [p.dagRunId, p.taskId, p.tryNumber, p.state, p.durationMs, p.mappedInstances, p.endDate]);
    assert.deepEqual(points, [
      [runIds[1], 'extract', 1, 'running', null, null, null],
      [runIds[0], 'extract', 1, 'failed', 1000, null, '2026-01-01T00:00:01.000Z'],
      [runIds[0], 'extract', 2, 'success', 3000, null, '2026-01-01T00:00:08.000Z'],
      // The mapped task: one point spanning its three instances, failed as the most pressing.
      [runIds[0], 'parts', 1, 'failed', 6000, 3, '2026-01-01T00:00:16.000Z'],
    ]);
  });

  it('takes only the latest `limit` runs, and refuses a limit beyond the grid\'s largest page', async () => {
    const one = await api<TaskDurationList>('GET', '/api/v1/dags/timed/taskDurations?limit=2');
    assert.deepEqual(one.body.dagRuns.map((r) => r.dagRunId), [runIds[2], runIds[1]]);
    assert.deepEqual(one.body.taskDurations.map((p) => p.dagRunId), [runIds[1]]);
    const tooMany = await api<ApiErrorBody>('GET', '/api/v1/dags/timed/taskDurations?limit=366');
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error.message, /limit.*from 1 to 365/);
    const unknown = await api<ApiErrorBody>('GET', '/api/v1/dags/nope/taskDurations');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /DAG "nope" not found/);
  });

  it("lists every try of a run's task instances in one answer, paged", async () => {
    const all = await api<TaskTryList>('GET', `/api/v1/dags/timed/dagRuns/${encodeURIComponent(runIds[0]!)}/taskInstanceTries`);
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.totalEntries, 2);
    assert.deepEqual(all.body.taskInstanceTries.map((t) => [t.taskId, t.mapIndex, t.tryNumber, t.state, t.error]), [
      ['extract', -1, 1, 'failed', 'flaky'],
      ['extract', -1, 2, 'success', null],
    ]);
    const running = await api<TaskTryList>('GET', `/api/v1/dags/timed/dagRuns/${encodeURIComponent(runIds[1]!)}/taskInstanceTries`);
    assert.deepEqual(running.body.taskInstanceTries.map((t) => [t.taskId, t.tryNumber, t.state, t.endDate]), [['extract', 1, 'running', null]]);
    const second = await api<TaskTryList>('GET', `/api/v1/dags/timed/dagRuns/${encodeURIComponent(runIds[0]!)}/taskInstanceTries?limit=1&offset=1`);
    assert.deepEqual(second.body.taskInstanceTries.map((t) => t.tryNumber), [2]);
    assert.equal(second.body.totalEntries, 2);
    const past = await api<TaskTryList>('GET', `/api/v1/dags/timed/dagRuns/${encodeURIComponent(runIds[0]!)}/taskInstanceTries?offset=5`);
    assert.deepEqual([past.body.taskInstanceTries, past.body.totalEntries], [[], 2]);
    const none = await api<ApiErrorBody>('GET', '/api/v1/dags/timed/dagRuns/nope/taskInstanceTries');
    assert.equal(none.status, 404);
  });
});

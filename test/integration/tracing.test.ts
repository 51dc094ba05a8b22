/**
 * OpenTelemetry traces, end to end: a real scheduler, worker and webserver export to a local
 * OTLP/HTTP receiver; a run's span has a child span per try (a retried task two), all in the
 * run's trace, with the contract's attributes, states and error status; a run marked failed by
 * hand gets its span from the webserver. Everything is sent by the graceful stop at the latest.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';

const dagSource = `
import { dag } from 'sluice';
const d = dag('traced', { schedule: null });
const flaky = d.task('flaky', { retries: 1, retryDelay: '0s' }, async (ctx) => {
  if (ctx.tryNumber === 1) throw new Error('first try: could not reach postgres://etl:hunter2@db/wh');
  return 'ok';
});
flaky.then(d.task('broken', async () => { throw new Error('broken on purpose'); }));
export default d;
`;

const heldSource = `
import { dag } from 'sluice';
const d = dag('held', { schedule: null });
d.task('wait', async (ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))));
export default d;
`;

describe('traces', () => {
  const h = new Harness();
  const receiver = new OtlpReceiver();
  const processes: SluiceProcess[] = [];
  let spans: ReceivedSpan[];
  let tracedRun: string;
  let heldRun: string;

  before(async () => {
    const endpoint = await receiver.start();
    await h.setUp();
    await h.writeDag('traced.ts', dagSource);
    await h.writeDag('held.ts', heldSource);
    const env: NodeJS.ProcessEnv = { ...h.childEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    delete env.OTEL_SERVICE_NAME;
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    processes.push(startSluice(['scheduler'], env), startSluice(['worker'], env), startSluice(['webserver', '--port', '0'], env));
    const api = await processes[2]!.url();
    await h.waitForDag('traced');
    await h.waitForDag('held');

    tracedRun = (await triggerDagRun(h.db, 'traced', {})).runId;
    await h.waitForRunEnd('traced', tracedRun);

    heldRun = (await triggerDagRun(h.db, 'held', {})).runId;
    await h.waitFor('the held task to run', async () => (await h.taskStates('held', heldRun)).wait === 'running');
    const marked = await fetch(`${api}/api/v1/dags/held/dagRuns/${encodeURIComponent(heldRun)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'failed' }),
    });
    assert.equal(marked.status, 200);

    // A graceful stop sends what each process still holds.
    const codes = await Promise.all(processes.map((p) => p.stop()));
    assert.deepEqual(codes, [0, 0, 0], processes.map((p) => p.stderr()).join('\n'));
    spans = receiver.spans;
  });

  after(async () => {
    for (const p of processes) p.killGroup();
    await h.tearDown();
    await receiver.close();
  });

  const runSpans = (runId: string) => spans.filter((s) => s.attributes['sluice.run_id'] === runId && s.attributes['sluice.task_id'] === undefined);
  const trySpans = (runId: string, taskId: string) =>
    spans.filter((s) => s.attributes['sluice.run_id'] === runId && s.attributes['sluice.task_id'] === taskId).sort((a, b) => a.startMs - b.startMs);

  test('a run has one span, the root of its trace, with its state', () => {
    const [run, ...more] = runSpans(tracedRun);
    assert.ok(run, `no span for run ${tracedRun}; received: ${JSON.stringify(spans.map((s) => s.name))}`);
    assert.equal(more.length, 0);
    assert.equal(run.name, 'traced');
    assert.equal(run.parentSpanId, '');
    assert.deepEqual(
      { dag: run.attributes['sluice.dag_id'], state: run.attributes['sluice.state'], status: run.status.code },
      { dag: 'traced', state: 'failed', status: 2 },
    );
    assert.ok(run.endMs >= run.startMs);
  });

  test('each try is a child span of its run, in the same trace: a retried task has two', () => {
    const run = runSpans(tracedRun)[0]!;
    const flaky = trySpans(tracedRun, 'flaky');
    const broken = trySpans(tracedRun, 'broken');
    assert.deepEqual(
      flaky.map((s) => [s.attributes['sluice.try_number'], s.attributes['sluice.state']]),
      [
        [1, 'failed'],
        [2, 'success'],
      ],
    );
    assert.deepEqual(
      broken.map((s) => [s.attributes['sluice.try_number'], s.attributes['sluice.state']]),
      [[1, 'failed']],
    );
    for (const s of [...flaky, ...broken]) {
      assert.equal(s.traceId, run.traceId);
      assert.equal(s.parentSpanId, run.spanId);
      assert.equal(s.attributes['sluice.dag_id'], 'traced');
      assert.equal(s.name, s.attributes['sluice.task_id']);
      assert.equal(s.service, 'sluice-worker');
      assert.ok(s.startMs >= run.startMs && s.endMs <= run.endMs, 'a try lies within its run');
    }
  });

  test("a failed try's span has status ERROR with its error, secrets masked; a retry is an event", () => {
    const [first, second] = trySpans(tracedRun, 'flaky');
    assert.equal(first!.status.code, 2);
    assert.match(first!.status.message, /first try: could not reach postgres:\/\/etl:\*\*\*@db\/wh/);
    assert.doesNotMatch(first!.status.message, /hunter2/);
    assert.deepEqual(first!.events.map((e) => e.name), ['up_for_retry']);
    assert.notEqual(second!.status.code, 2);
    assert.match(trySpans(tracedRun, 'broken')[0]!.status.message, /broken on purpose/);
  });

  test('a run marked failed by hand gets its span from the webserver', () => {
    const [run, ...more] = runSpans(heldRun);
    assert.ok(run, `no span for run ${heldRun}`);
    assert.equal(more.length, 0);
    assert.equal(run.attributes['sluice.state'], 'failed');
    assert.equal(run.service, 'sluice-webserver');
  });
});

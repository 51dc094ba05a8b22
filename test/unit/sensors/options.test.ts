/** Each ready sensor checks its options when it is made: the message says which option, what is wrong and how to fix it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalTaskSensor, httpSensor, s3KeySensor, sqlSensor, timeSensor } from '../../../src/sensors/index.ts';
import { truthy } from '../../../src/sensors/sql.ts';
import { taskContext } from '../../support/task-context.ts';

// The factories are typed; the tests hand them what a DAG file in plain JavaScript (or a cast) could.
const loose = <T>(value: object): T => value as T;

describe('ready sensors refuse bad options when made', () => {
  it('externalTaskSensor', () => {
    assert.throws(() => externalTaskSensor(loose({})), /^Error: externalTaskSensor\(\): dagId is missing: pass it, e\.g\. externalTaskSensor\(\{ dagId: 'orders_daily' \}\)/);
    assert.throws(() => externalTaskSensor(loose({ dagId: 'a', taskid: 'x' })), /unknown option "taskid"; did you mean "taskId"\?/);
    assert.throws(() => externalTaskSensor({ dagId: 'a', allowedStates: ['succes'] }), /allowedStates: "succes" is not a state here; use some of queued, running, success, failed/);
    // A task's states are not a run's.
    assert.throws(() => externalTaskSensor({ dagId: 'a', allowedStates: ['skipped'] }), /"skipped" is not a state here/);
    assert.doesNotThrow(() => externalTaskSensor({ dagId: 'a', taskId: 't', allowedStates: ['success', 'skipped'] }));
    assert.throws(() => externalTaskSensor({ dagId: 'a', allowedStates: ['failed'] }), /"failed" is in both allowedStates and failedStates/);
    assert.throws(() => externalTaskSensor({ dagId: 'a', allowedStates: [] }), /allowedStates is empty/);
    assert.throws(() => externalTaskSensor(loose({ dagId: 'a', logicalDate: new Date() })), /logicalDate must be a function, e\.g\. logicalDate: \(ctx\) =>/);
  });

  it('s3KeySensor', () => {
    assert.throws(() => s3KeySensor(loose({ key: 'k' })), /s3KeySensor\(\): bucket is missing/);
    assert.throws(() => s3KeySensor(loose({ bucket: 'b', key: '' })), /s3KeySensor\(\): key is empty/);
    assert.throws(() => s3KeySensor({ bucket: 'b', key: 'k', endpoint: 'localhost:9000' }), /endpoint must be an http\(s\) URL/);
    assert.throws(() => s3KeySensor({ bucket: 'b', key: 'k', accessKeyId: 'AKIA' }), /give both accessKeyId and secretAccessKey, or neither/);
    assert.throws(() => s3KeySensor(loose({ bucket: 'b', key: 'k', forcePathStyle: 'yes' })), /forcePathStyle must be true or false; got "yes"/);
  });

  it('sqlSensor never shows the password of its URL', () => {
    assert.throws(() => sqlSensor(loose({ sql: 'SELECT 1' })), /sqlSensor\(\): url is missing: pass it, e\.g\. sqlSensor\(\{ url: process\.env\./);
    assert.throws(() => sqlSensor({ url: 'postgres://etl:s3cr3t@db/wh', sql: '' }), /sql is empty/);
    assert.throws(
      () => sqlSensor({ url: 'mysql://etl:s3cr3t@db/wh', sql: 'SELECT 1' }),
      (error: Error) => /must be a postgres:\/\/ \(or postgresql:\/\/\) URL; got a mysql:\/\/ URL/.test(error.message) && !error.message.includes('s3cr3t'),
    );
  });

  it('httpSensor', () => {
    assert.throws(() => httpSensor(loose({ url: undefined })), /httpSensor\(\): url is missing/);
    assert.throws(() => httpSensor({ url: 'ftp://example.com/x' }), /must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => httpSensor(loose({ url: 'https://example.com', check: true })), /check must be a function/);
    assert.throws(() => httpSensor({ url: 'https://example.com', timeout: '10' }), /timeout: "10" has no unit/);
    assert.throws(() => httpSensor(loose({ url: 'https://example.com', headers: { authorization: 42 } })), /header "authorization" must be a string/);
  });

  it('timeSensor', () => {
    assert.throws(() => timeSensor(loose({})), /timeSensor\(\): at is missing: pass a function of the run/);
    assert.throws(() => timeSensor(loose({ at: '2026-12-07' })), /at must be a function/);
  });
});

describe('timeSensor', () => {
  it('is done once now has reached the moment, with the moment as its result', async () => {
    const ctx = taskContext({ dataIntervalEnd: new Date(Date.now() - 1_000) });
    assert.deepEqual(await timeSensor({ at: (c) => c.dataIntervalEnd })(ctx), { at: ctx.dataIntervalEnd.toISOString() });
    assert.equal(await timeSensor({ at: (c) => new Date(c.dataIntervalEnd.getTime() + 3_600_000) })(ctx), null);
  });

  it('fails, naming the option, when at() gives no valid Date', async () => {
    await assert.rejects(timeSensor({ at: () => new Date('nope') })(taskContext()), /timeSensor\(\): at must return a valid Date; it returned an invalid Date/);
  });
});

describe("sqlSensor's first column", () => {
  it('counts numbers PostgreSQL sends as text by their value', () => {
    assert.deepEqual(
      [0, 1, '0', '0.00', '12', '-1', '', 'ready', true, false, null, undefined, 0n, 3n].map(truthy),
      [false, true, false, false, true, true, false, true, true, false, false, false, false, true],
    );
  });
});

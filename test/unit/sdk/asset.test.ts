import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dag } from '../../../src/sdk/dag.ts';
import { asset, isAsset } from '../../../src/sdk/asset.ts';
import { param } from '../../../src/sdk/param.ts';
import type { Asset } from '../../../src/sdk/asset.ts';
import { rejects } from '../../support/dag-asserts.ts';

const noop = async () => {};
const orders = asset('warehouse://public/orders');
const customers = asset('warehouse://public/customers');

describe('assets in a DAG file', () => {
  it('asset() keeps its URI and is recognized as an asset, frozen', () => {
    assert.equal(orders.uri, 'warehouse://public/orders');
    assert.ok(isAsset(orders));
    assert.ok(!isAsset({ uri: 'warehouse://public/orders' }), 'a look-alike object is not an asset');
    assert.ok(Object.isFrozen(orders));
    assert.equal(asset('orders').uri, 'orders', 'any URI, even without a scheme');
  });

  it('asset() refuses an empty URI, whitespace, a control character and a URI too long, saying how to fix it', () => {
    assert.throws(() => asset(''), /asset\(\): the URI must be a non-empty string naming the asset, like 'warehouse:\/\/public\/orders'; got ""/);
    assert.throws(() => asset(42 as unknown as string), /must be a non-empty string naming the asset.*got 42/);
    assert.throws(() => asset('s3://bucket/my file'), /asset\(\): the URI "s3:\/\/bucket\/my file" has a space at character 15; a URI has none: percent-encode it \(%20\)/);
    assert.throws(() => asset('s3://bucket/a\tb'), /has whitespace or a control character at character 14/);
    assert.throws(() => asset('s3://x/\u0000'), /whitespace or a control character/);
    assert.throws(() => asset(`s3://b/${'x'.repeat(1000)}`), /is 1007 bytes long, more than the 1000 an asset URI may have/);
    assert.equal(asset(`s3://b/${'x'.repeat(993)}`).uri.length, 1000, '1000 bytes is allowed');
    assert.throws(() => asset(`s3://b/${'é'.repeat(497)}`), /is 1001 bytes long/, 'counted in UTF-8 bytes');
  });

  it('outlets and an asset schedule are in the spec, each URI once, in the order written', () => {
    const producer = dag('producer', { schedule: '@daily', startDate: '2026-01-01' });
    const g = producer.group('load');
    producer.task('orders', { outlets: [orders, orders, customers] }, noop);
    g.task('customers', { outlets: [customers], expand: [1, 2] }, noop);
    const spec = producer.toSpec();
    assert.deepEqual(spec.tasks.find((t) => t.taskId === 'orders')!.outlets, ['warehouse://public/orders', 'warehouse://public/customers']);
    assert.deepEqual(spec.tasks.find((t) => t.taskId === 'load.customers')!.outlets, ['warehouse://public/customers']);
    assert.equal(spec.assetSchedule, undefined);

    const consumer = dag('consumer', { schedule: [customers, orders, customers] });
    consumer.task('report', noop);
    const c = consumer.toSpec();
    assert.deepEqual(c.assetSchedule, ['warehouse://public/customers', 'warehouse://public/orders']);
    assert.equal(c.schedule, null, 'an asset-scheduled DAG has no cron');
    assert.equal(c.startDate, null, 'and needs no startDate');
  });

  it('leaves a DAG without assets with the spec, and version, it had before', () => {
    const d = dag('plain', { schedule: '@hourly', startDate: '2026-01-01' });
    d.task('a', noop).then(d.task('b', { outlets: [] }, noop));
    const spec = d.toSpec();
    assert.ok(!('assetSchedule' in spec));
    assert.ok(spec.tasks.every((t) => !('outlets' in t)), 'an empty outlets list leaves no trace');
  });

  it('refuses an empty asset schedule, a cron mixed with assets, and what is not an asset', () => {
    rejects(() => dag('c', { schedule: [] }), /DAG "c": option "schedule" is an empty array; list the assets the DAG waits for/);
    rejects(
      () => dag('c', { schedule: ['@daily', orders] as unknown as Asset[] }),
      /option "schedule" mixes a cron \("@daily"\) with assets; a DAG runs either on a cron .* or on assets .*, not both/,
    );
    rejects(() => dag('c', { schedule: [orders, { uri: 'x' }] as Asset[] }), /option "schedule"\[1\] must be an asset, made with asset\('<uri>'\) from 'sluice'; got an object/);
  });

  it('refuses outlets that are not assets, and outlets in defaultArgs (they belong to one task)', () => {
    const d = dag('p');
    rejects(() => d.task('t', { outlets: ['s3://b/k'] as unknown as Asset[] }, noop), /DAG "p": option "outlets" of task "t"\[0\] must be an asset; wrap the URI: asset\("s3:\/\/b\/k"\)/);
    rejects(() => d.task('u', { outlets: orders as unknown as Asset[] }, noop), /option "outlets" of task "u" must be an array of assets, like \[asset\('warehouse:\/\/public\/orders'\)\]; got an object/);
    rejects(
      () => dag('q', { defaultArgs: { outlets: [orders] } as never }),
      /DAG "q": option "defaultArgs.outlets": outlets belong to the task that updates the asset; set outlets: \[...\] on that task instead/,
    );
    rejects(() => dag('q').group('g', { defaultArgs: { outlets: [orders] } as never }), /outlets belong to the task that updates the asset/);
  });

  it('refuses a required param on an asset-scheduled DAG: its runs take the defaults', () => {
    rejects(
      () => dag('c', { schedule: [orders], params: { day: param({ type: 'string', required: true }) } }),
      /param "day" is required \(it has no default\), but the DAG has schedule "\[asset\("warehouse:\/\/public\/orders"\)\]", whose runs take the params' defaults/,
    );
  });
});

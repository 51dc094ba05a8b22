/**
 * The showcase DAGs as the scheduler parses them from the repo's dags folder: mongo_to_warehouse's
 * promote updates every warehouse table as an asset, daily_sales runs on the orders tables, and
 * warehouse_vacuum senses the day's last load before it vacuums.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseDagFile } from '../../../src/loader/parse-file.ts';
import type { DagSpec } from '../../../src/core/spec.ts';
import { REPO_ROOT } from '../../support/harness.ts';

const DAGS = path.join(REPO_ROOT, 'dags');

async function spec(file: string): Promise<DagSpec> {
  const outcome = await parseDagFile(DAGS, file, path.join(DAGS, file));
  assert.equal(outcome.kind, 'dag', outcome.kind === 'error' ? outcome.message : file);
  return (outcome as { spec: DagSpec }).spec;
}

describe('the showcase DAGs', { timeout: 60_000 }, () => {
  it("promote's outlets are the warehouse tables, and daily_sales runs on its orders", async () => {
    const promote = (await spec('mongo_to_warehouse.ts')).tasks.find((t) => t.taskId === 'promote')!;
    assert.deepEqual(promote.outlets, [
      'warehouse://public/customers',
      'warehouse://public/customers_tags',
      'warehouse://public/products',
      'warehouse://public/orders',
      'warehouse://public/orders_items',
    ]);
    const sales = await spec('daily_sales.ts');
    assert.equal(sales.schedule, null);
    assert.deepEqual(sales.assetSchedule, ['warehouse://public/orders', 'warehouse://public/orders_items']);
  });

  it('warehouse_vacuum senses the load in reschedule mode, then vacuums', async () => {
    const vacuum = await spec('warehouse_vacuum.ts');
    assert.deepEqual(
      vacuum.tasks.map((t) => [t.taskId, t.sensor?.mode ?? null, t.upstream]),
      [
        ['day_loaded', 'reschedule', []],
        ['vacuum', null, ['day_loaded']],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterDags, tagsOf, type DagFilter, type FilterableDag } from '../../../../ui/src/lib/dag-filter.ts';

interface TestDag extends FilterableDag {
  owner: string;
}

const DAGS: TestDag[] = [
  { dagId: 'etl_daily', description: 'Loads the Warehouse', isPaused: false, tags: ['etl', 'daily'], latestDagRun: { state: 'success' }, owner: 'ann' },
  { dagId: 'ETL_hourly', description: '', isPaused: true, tags: ['etl'], latestDagRun: { state: 'failed' }, owner: 'bob' },
  { dagId: 'reports', description: 'Weekly etl summary', isPaused: false, tags: ['reports', 'daily'], latestDagRun: null, owner: 'cy' },
  { dagId: 'cleanup', description: 'Removes old files', isPaused: true, tags: [], latestDagRun: { state: 'running' }, owner: 'di' },
  { dagId: 'backup', description: 'Nightly backup', isPaused: false, tags: ['ops'], latestDagRun: { state: 'failed' }, owner: 'ed' },
];

describe('filterDags', () => {
  const ids = (filter: Partial<DagFilter>) => filterDags(DAGS, { search: '', status: 'all', ...filter }).shown.map((d) => d.dagId);
  const counts = (filter: Partial<DagFilter>) => filterDags(DAGS, { search: '', status: 'all', ...filter }).counts;

  it('shows every DAG, in order, with no filter', () => {
    assert.deepEqual(ids({}), ['etl_daily', 'ETL_hourly', 'reports', 'cleanup', 'backup']);
    assert.deepEqual(counts({}), { all: 5, active: 3, paused: 2 });
  });

  it('gives back the objects it was given', () => {
    const { shown } = filterDags(DAGS, { search: 'backup', status: 'all' });
    assert.equal(shown.length, 1);
    assert.equal(shown[0], DAGS[4]);
    assert.equal(shown[0]?.owner, 'ed');
  });

  it('searches ids and descriptions, ignoring case and surrounding spaces', () => {
    assert.deepEqual(ids({ search: 'etl' }), ['etl_daily', 'ETL_hourly', 'reports']);
    assert.deepEqual(ids({ search: 'ETL_H' }), ['ETL_hourly']);
    assert.deepEqual(ids({ search: '  warehouse ' }), ['etl_daily']);
    assert.deepEqual(ids({ search: 'OLD FILES' }), ['cleanup']);
    assert.deepEqual(ids({ search: '   ' }), ids({}));
    assert.deepEqual(ids({ search: 'nothing like this' }), []);
    assert.deepEqual(counts({ search: 'nothing like this' }), { all: 0, active: 0, paused: 0 });
  });

  it('keeps the DAGs with the tag, exactly', () => {
    assert.deepEqual(ids({ tag: 'etl' }), ['etl_daily', 'ETL_hourly']);
    assert.deepEqual(ids({ tag: 'daily' }), ['etl_daily', 'reports']);
    assert.deepEqual(ids({ tag: 'ETL' }), []);
    assert.deepEqual(ids({ tag: 'et' }), []);
  });

  it('shows active or paused DAGs, without changing the counts', () => {
    assert.deepEqual(ids({ status: 'active' }), ['etl_daily', 'reports', 'backup']);
    assert.deepEqual(ids({ status: 'paused' }), ['ETL_hourly', 'cleanup']);
    assert.deepEqual(counts({ status: 'active' }), { all: 5, active: 3, paused: 2 });
    assert.deepEqual(counts({ status: 'paused' }), { all: 5, active: 3, paused: 2 });
  });

  it("filters on the last run's state, 'none' meaning never run", () => {
    assert.deepEqual(ids({ lastRunState: 'failed' }), ['ETL_hourly', 'backup']);
    assert.deepEqual(ids({ lastRunState: 'success' }), ['etl_daily']);
    assert.deepEqual(ids({ lastRunState: 'none' }), ['reports']);
    assert.deepEqual(ids({ lastRunState: 'queued' }), []);
  });

  it('counts each status with the other filters applied', () => {
    assert.deepEqual(counts({ search: 'etl' }), { all: 3, active: 2, paused: 1 });
    assert.deepEqual(counts({ tag: 'etl' }), { all: 2, active: 1, paused: 1 });
    assert.deepEqual(counts({ lastRunState: 'failed' }), { all: 2, active: 1, paused: 1 });
    assert.deepEqual(counts({ search: 'etl', lastRunState: 'failed', status: 'active' }), { all: 1, active: 0, paused: 1 });
  });

  it('combines every filter', () => {
    assert.deepEqual(ids({ search: 'etl', tag: 'daily' }), ['etl_daily', 'reports']);
    assert.deepEqual(ids({ search: 'etl', tag: 'daily', lastRunState: 'none' }), ['reports']);
    assert.deepEqual(ids({ search: 'etl', status: 'paused' }), ['ETL_hourly']);
    assert.deepEqual(ids({ search: 'etl', lastRunState: 'failed', status: 'active' }), []);
  });

  it('handles no DAGs', () => {
    assert.deepEqual(filterDags([], { search: 'x', status: 'paused' }), { shown: [], counts: { all: 0, active: 0, paused: 0 } });
  });
});

describe('tagsOf', () => {
  it('lists each tag once, sorted', () => {
    assert.deepEqual(tagsOf(DAGS), ['daily', 'etl', 'ops', 'reports']);
    assert.deepEqual(tagsOf([{ tags: ['b', 'a'] }, { tags: ['a', 'c', 'b'] }]), ['a', 'b', 'c']);
    assert.deepEqual(tagsOf([]), []);
  });
});

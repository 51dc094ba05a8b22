import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAG_TABS, href, parseRoute, RUN_TABS } from '../../../../ui/src/lib/routes.ts';

describe('routes', () => {
  /** What the app's router reads: the pathname of the address a link leads to. */
  const pathOf = (link: string) => new URL(link, 'http://sluice.test').pathname;

  it('reads the top-level pages, with or without a trailing slash', () => {
    assert.deepEqual(parseRoute('/'), { page: 'dags' });
    assert.deepEqual(parseRoute(''), { page: 'dags' });
    assert.deepEqual(parseRoute('/dags'), { page: 'dags' });
    assert.deepEqual(parseRoute('/dags/'), { page: 'dags' });
    assert.deepEqual(parseRoute('/backfills'), { page: 'backfills' });
    assert.deepEqual(parseRoute('/backfills/'), { page: 'backfills' });
    assert.deepEqual(parseRoute(href.dags()), { page: 'dags' });
    assert.deepEqual(parseRoute(href.backfills()), { page: 'backfills' });
    assert.deepEqual(parseRoute('/assets'), { page: 'assets' });
    assert.deepEqual(parseRoute(href.assets()), { page: 'assets' });
    assert.equal(href.assets('s3://bucket/a b?c'), '/assets?uri=s3%3A%2F%2Fbucket%2Fa%20b%3Fc', 'the URI is one query value');
    assert.deepEqual(parseRoute('/assets/x'), { page: 'not-found', path: '/assets/x' });
    assert.deepEqual(parseRoute(href.connections()), { page: 'connections' });
    assert.deepEqual(parseRoute(href.variables()), { page: 'variables' });
    assert.deepEqual(parseRoute('/connections/x'), { page: 'not-found', path: '/connections/x' });
  });

  it('builds and reads every tab of a DAG page, the grid without a suffix', () => {
    assert.equal(href.dag('etl'), '/dags/etl');
    assert.equal(href.dag('etl', 'grid'), '/dags/etl');
    assert.equal(href.dag('etl', 'graph'), '/dags/etl/graph');
    for (const tab of DAG_TABS) assert.deepEqual(parseRoute(href.dag('etl', tab)), { page: 'dag', dagId: 'etl', tab });
    assert.deepEqual(parseRoute('/dags/etl/grid'), { page: 'dag', dagId: 'etl', tab: 'grid' });
    assert.deepEqual(parseRoute('/dags/etl/'), { page: 'dag', dagId: 'etl', tab: 'grid' });
  });

  it('reads the runs tab, not a run, when no run id follows', () => {
    assert.deepEqual(parseRoute('/dags/etl/runs'), { page: 'dag', dagId: 'etl', tab: 'runs' });
    assert.deepEqual(parseRoute('/dags/etl/runs/'), { page: 'dag', dagId: 'etl', tab: 'runs' });
  });

  it('builds and reads run and task pages', () => {
    assert.equal(href.run('etl', 'manual__1'), '/dags/etl/runs/manual__1');
    assert.equal(href.task('etl', 'manual__1', 'load'), '/dags/etl/runs/manual__1/tasks/load');
    assert.deepEqual(parseRoute(href.run('etl', 'manual__1')), { page: 'run', dagId: 'etl', runId: 'manual__1', tab: 'instances' });
    assert.deepEqual(parseRoute(href.task('etl', 'manual__1', 'load')), { page: 'task', dagId: 'etl', runId: 'manual__1', taskId: 'load' });
  });

  it("builds and reads a run's Gantt tab, its task instances without a suffix", () => {
    assert.equal(href.run('etl', 'r', 'instances'), '/dags/etl/runs/r');
    assert.equal(href.run('etl', 'r', 'gantt'), '/dags/etl/runs/r/gantt');
    for (const tab of RUN_TABS) assert.deepEqual(parseRoute(href.run('etl', 'r', tab)), { page: 'run', dagId: 'etl', runId: 'r', tab });
    assert.deepEqual(parseRoute('/dags/etl/runs/r/gantt/x'), { page: 'not-found', path: '/dags/etl/runs/r/gantt/x' });
    assert.deepEqual(parseRoute('/dags/etl/runs/r/tasks/gantt'), { page: 'task', dagId: 'etl', runId: 'r', taskId: 'gantt' });
  });

  it('puts a try number in the query, where the path does not see it', () => {
    assert.equal(href.task('etl', 'r', 'load', 3), '/dags/etl/runs/r/tasks/load?try=3');
    assert.equal(new URL(href.task('etl', 'r', 'load', 3), 'http://sluice.test').searchParams.get('try'), '3');
    assert.deepEqual(parseRoute(pathOf(href.task('etl', 'r', 'load', 3))), { page: 'task', dagId: 'etl', runId: 'r', taskId: 'load' });
    assert.equal(href.task('etl', 'r', 'load', undefined), '/dags/etl/runs/r/tasks/load');
  });

  it('round-trips ids holding any character, through the browser\'s URL parsing', () => {
    const ids = [
      'a/b',
      '/leading/and/trailing/',
      '100%',
      '%41',
      'with space',
      'a?b#c&d=e',
      'ünïcødé',
      '日本語',
      'rocket 🚀',
      'runs',
      'tasks',
      'dags',
      'backfills',
      'grid',
      'manual__2026-01-01T00:00:00+00:00',
    ];
    for (const id of ids) {
      const message = JSON.stringify(id);
      assert.deepEqual(parseRoute(pathOf(href.dag(id))), { page: 'dag', dagId: id, tab: 'grid' }, message);
      assert.deepEqual(parseRoute(pathOf(href.dag(id, 'details'))), { page: 'dag', dagId: id, tab: 'details' }, message);
      assert.deepEqual(parseRoute(pathOf(href.run(id, id))), { page: 'run', dagId: id, runId: id, tab: 'instances' }, message);
      assert.deepEqual(parseRoute(pathOf(href.run(id, id, 'gantt'))), { page: 'run', dagId: id, runId: id, tab: 'gantt' }, message);
      assert.deepEqual(parseRoute(pathOf(href.task(id, id, id))), { page: 'task', dagId: id, runId: id, taskId: id }, message);
      assert.deepEqual(parseRoute(pathOf(href.task('d', id, 'runs', 2))), { page: 'task', dagId: 'd', runId: id, taskId: 'runs' }, message);
    }
  });

  it('reads an unknown path as not found, keeping the path', () => {
    const unknown = [
      '/dag',
      '/dags/etl/unknown',
      '/dags/etl/grid/extra',
      '/dags/etl/details/x',
      '/dags/etl/run/r',
      '/dags/etl/runs/r/extra',
      '/dags/etl/runs/r/tasks',
      '/dags/etl/runs/r/tasks/t/more',
      '/dags/etl/runs/r/task/t',
      '/backfills/x',
      '/api/v1/dags',
      '/DAGS/etl',
    ];
    for (const path of unknown) assert.deepEqual(parseRoute(path), { page: 'not-found', path });
  });

  it('reads a path with bad percent-encoding as not found instead of throwing', () => {
    for (const path of ['/dags/%', '/dags/50%25%', '/dags/%E0%A4%A', '/dags/etl/runs/%ZZ', '/dags/etl/runs/r/tasks/%C3', '/%FF']) {
      assert.deepEqual(parseRoute(path), { page: 'not-found', path });
    }
  });

  // No route test for the ids '.' and '..': URL parsing removes such path segments, so checkId
  // (src/sdk/validate.ts) refuses them as DAG and task ids (tested in sdk-dag.test.ts).
});

describe('routes of mapped task instances', () => {
  const pathOf = (link: string) => new URL(link, 'http://sluice.test').pathname;

  it('builds and reads one instance of a mapped task under its task, a try in the query', () => {
    assert.equal(href.mappedInstance('etl', 'r', 'load', 0), '/dags/etl/runs/r/tasks/load/0');
    assert.equal(href.mappedInstance('etl', 'r', 'load', 12, 2), '/dags/etl/runs/r/tasks/load/12?try=2');
    assert.deepEqual(parseRoute(href.mappedInstance('etl', 'r', 'load', 0)), { page: 'task', dagId: 'etl', runId: 'r', taskId: 'load', mapIndex: 0 });
    assert.deepEqual(parseRoute(pathOf(href.mappedInstance('etl', 'r', 'load', 9999, 3))), {
      page: 'task',
      dagId: 'etl',
      runId: 'r',
      taskId: 'load',
      mapIndex: 9999,
    });
    for (const id of ['a/b', '100%', '7', 'rocket 🚀']) {
      assert.deepEqual(parseRoute(pathOf(href.mappedInstance(id, id, id, 3))), { page: 'task', dagId: id, runId: id, taskId: id, mapIndex: 3 }, id);
    }
  });

  it('leaves a task without an index as the task (its list when mapped), and refuses what is not a map index', () => {
    assert.deepEqual(parseRoute('/dags/etl/runs/r/tasks/load'), { page: 'task', dagId: 'etl', runId: 'r', taskId: 'load' });
    for (const bad of ['-1', '01', '1.5', 'x', '1e3', '%20', '']) {
      const route = parseRoute(`/dags/etl/runs/r/tasks/load/${bad}/`);
      if (bad === '') assert.deepEqual(route, { page: 'task', dagId: 'etl', runId: 'r', taskId: 'load' });
      else assert.equal(route.page, 'not-found', bad);
    }
    assert.equal(parseRoute('/dags/etl/runs/r/tasks/load/1/2').page, 'not-found');
  });
});

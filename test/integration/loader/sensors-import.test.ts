/**
 * A DAG file that imports 'sluice/sensors' and 'sluice/operators' parses wherever DAG code is loaded: from a DAGs folder
 * outside this package, in a process running Sluice's TypeScript and in one running Sluice's own
 * bundle with plain Node (a runner, a bundled worker or parser); a package of that folder importing
 * 'sluice/sensors' itself gets the DAG's very module. A sensor with bad options is an import error
 * naming the file and line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outsideDagsFolder } from '../../support/outside-dags-folder.ts';

const FILES: Record<string, string> = {
  // What the imports are ends up in the description, so the test sees they were made.
  'sensing.ts': `
import { dag } from 'sluice';
import * as sensors from 'sluice/sensors';
import { triggerDag } from 'sluice/operators';
import { sameSensors } from 'team-sensors';

const checks = [
  sensors.externalTaskSensor({ dagId: 'orders_daily', taskId: 'load' }),
  sensors.s3KeySensor({ bucket: 'landing', key: 'orders.csv' }),
  sensors.sqlSensor({ url: 'postgres://etl@db/wh', sql: 'SELECT 1' }),
  sensors.httpSensor({ url: 'https://api.example.com/ready' }),
  sensors.timeSensor({ at: (ctx) => ctx.dataIntervalEnd }),
  triggerDag('orders_daily', { conf: { day: 1 }, waitForCompletion: true, pokeInterval: '1m' }),
];
const d = dag('sensing', { description: checks.map((c) => typeof c).join(',') + ' / ' + sameSensors(sensors.httpSensor) });
d.task('work', async () => 1);
export default d;
`,
  'bad_sensor.ts': `
import { dag } from 'sluice';
import { externalTaskSensor } from 'sluice/sensors';

const wait = externalTaskSensor({ dagId: 'orders_daily', allowedStates: ['succes'] });
export default dag('bad_sensor', { description: String(wait) });
`,
  'bad_operator.ts': `
import { dag } from 'sluice';
import { triggerDag } from 'sluice/operators';

const kick = triggerDag('orders_daily', { waitForCompletition: true } as never);
export default dag('bad_operator', { description: String(kick) });
`,
  'node_modules/team-sensors/package.json': JSON.stringify({ name: 'team-sensors', version: '1.0.0', type: 'module', exports: './index.js' }),
  'node_modules/team-sensors/index.js': [
    "import { httpSensor } from 'sluice/sensors';",
    "export const sameSensors = (fromDag) => (fromDag === httpSensor ? 'same sensors' : 'other sensors');",
    '',
  ].join('\n'),
};

const EXPECTED = 'function,function,function,function,function,function / same sensors';


describe("DAG files importing 'sluice/sensors'", { timeout: 120_000 }, () => {
  const dags = outsideDagsFolder('sensors-import', FILES);

  it('parse in a process running the TypeScript sources', async () => {
    assert.deepEqual(await dags.summary('sensing.ts'), { kind: 'dag', tags: [], description: EXPECTED });
  });

  it('parse in a plain Node process running Sluice bundled, as runners and bundled workers do', async () => {
    assert.deepEqual(await dags.summaryBundled('sensing.ts'), { kind: 'dag', tags: [], description: EXPECTED });
  });

  it('a sensor or operator with bad options is an import error with the file, the line and what to fix', async () => {
    const outcome = await dags.parse('bad_sensor.ts');
    assert.equal(outcome.kind, 'error');
    assert.match((outcome as { message: string }).message, /^externalTaskSensor\(\): allowedStates: "succes" is not a state here; use some of .* \(line 5/);
    const operator = await dags.parse('bad_operator.ts');
    assert.match((operator as { message: string }).message, /^triggerDag\("orders_daily"\): unknown option "waitForCompletition"; did you mean "waitForCompletion"\?.* \(line 5/);
  });
});

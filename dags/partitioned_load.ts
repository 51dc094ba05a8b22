/**
 * Mapped tasks: `list_partitions` decides at run time which partitions the day has, and `load`
 * runs once per partition (task instances load[0], load[1], …, each with its own tries, log and
 * result), side by side on the workers. `summary` gets every instance's result as one array, in
 * partition order. Try it with `npx sluice dags test partitioned_load`, or trigger it and open
 * the run: the grid shows `load` as one row whose cell sums up its instances.
 */
import { dag } from 'sluice';

const d = dag('partitioned_load', {
  schedule: null,
  description: 'One load task instance per partition found at run time (a mapped task)',
  tags: ['example'],
  defaultArgs: { retries: 2, retryDelay: '2s' },
});

const listPartitions = d.task('list_partitions', async (ctx) => {
  // Stand-in for listing the day's files in object storage: a different count each day.
  const day = ctx.logicalDate.toISOString().slice(0, 10);
  const count = 3 + (ctx.logicalDate.getUTCDate() % 5);
  return Array.from({ length: count }, (_, i) => `s3://landing/${day}/part-${String(i).padStart(4, '0')}.jsonl`);
});

const load = d.task('load', { expand: listPartitions, maxMapLength: 500 }, async (ctx) => {
  const file = ctx.mapItem as string;
  // Stand-in for loading one file: its row count, derived from its name.
  const rows = 1000 + ((ctx.mapIndex * 7919) % 5000);
  ctx.log.info({ file, rows }, 'loaded partition');
  return { file, rows };
});

const summary = d.task('summary', async (ctx) => {
  const loaded = (await ctx.xcom<{ file: string; rows: number }[]>('load')) ?? [];
  const rows = loaded.reduce((sum, l) => sum + l.rows, 0);
  ctx.log.info({ partitions: loaded.length, rows }, 'day loaded');
  return { partitions: loaded.length, rows };
});

load.then(summary);

export default d;

/** `sluice pools …`: pools and their slots (README, "Pools"). A change is admitted from at once. */
import { putPool, removePool } from '../../engine/pools.ts';
import { listPoolUsage } from '../../store/pools.ts';
import { UsageError, intFlag } from '../args.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { printJson, printTable } from '../output.ts';

const list = command({
  name: 'pools list',
  summary: 'every pool with its slots, those occupied (tries queued or running) and those queued for (tasks waiting)',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    return withServices(ctx, async ({ db }) => {
      const pools = await listPoolUsage(db);
      if (json) printJson({ pools, totalEntries: pools.length });
      else printTable(['pool', 'slots', 'occupied', 'queued', 'description'], pools.map((p) => [p.name, String(p.slots), String(p.occupiedSlots), String(p.queuedSlots), p.description]));
      return 0;
    });
  },
});

const set = command({
  name: 'pools set',
  summary: "create a pool, or change its slots (and description); tasks waiting for room are admitted at once",
  args: ['name'],
  flags: { slots: { type: 'string', value: 'N' }, description: { type: 'string', value: 'TEXT' } },
  async run(ctx, { positionals: [name], values, json }) {
    if (values.slots === undefined) throw new UsageError('pools set needs --slots N (0 or more): how many slots the pool has');
    const slots = intFlag(values.slots, '--slots', 0, 0);
    return withServices(ctx, async ({ db }) => {
      const pool = await putPool(db, name, slots, values.description, ctx.actor);
      if (json) printJson(pool);
      else console.log(`pool ${pool.name}: ${pool.slots} slots (${pool.occupiedSlots} occupied, ${pool.queuedSlots} queued for)`);
      return 0;
    });
  },
});

const remove = command({
  name: 'pools delete',
  summary: 'delete a pool (not default_pool); tasks that still name it get it back at the default size',
  args: ['name'],
  flags: {},
  async run(ctx, { positionals: [name] }) {
    return withServices(ctx, async ({ db }) => {
      await removePool(db, name, ctx.actor);
      console.log(`pool ${name} deleted`);
      return 0;
    });
  },
});

export const POOL_COMMANDS = [list, set, remove];

/** Pools (README, "Pools"): what /pools takes and answers. */
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { count, pathId, totalEntries } from './fields.ts';

export const pool = z
  .object({
    name: z.string(),
    slots: count().meta({ description: 'how many slots its tasks may hold at once (a task holds its poolSlots while queued or running)' }),
    occupiedSlots: count().meta({ description: 'slots held now, by tries queued or running' }),
    queuedSlots: count().meta({ description: 'slots wanted by task instances scheduled in it, waiting for room' }),
    description: z.string(),
  })
  .meta({ id: 'Pool' });

export const poolList = z.object({ pools: z.array(pool), totalEntries }).meta({ id: 'PoolList' });

export const poolPath = z.strictObject({ name: pathId() });

/** At most this many slots: a pool larger than any machine could run is a typo. */
const MAX_SLOTS = 1_000_000;

const slots = z
  .number({ error: (issue) => `must be a whole number of slots, 0 to ${MAX_SLOTS.toLocaleString('en-US')}; got ${showValue(issue.input)}` })
  .int({ error: (issue) => `must be a whole number of slots; got ${showValue(issue.input)}` })
  .min(0, { error: 'must be 0 or more' })
  .max(MAX_SLOTS, { error: `must be at most ${MAX_SLOTS.toLocaleString('en-US')}` });

const description = z.string().max(1000, { error: 'must be at most 1,000 characters' });

export const createPoolBody = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,200}$/, { error: 'must be 1 to 200 letters, digits, "_", "." or "-", as a task\'s pool option names it' })
    .meta({ examples: ['warehouse'] }),
  slots,
  description: description.optional().meta({ description: "'' if left out" }),
});

export const patchPoolBody = z
  .strictObject({ slots: slots.optional(), description: description.optional() })
  .refine((b) => b.slots !== undefined || b.description !== undefined, { error: 'name what to change: slots, description, or both', path: ['slots'] });

export type Pool = z.infer<typeof pool>;
export type PoolList = z.infer<typeof poolList>;
export type CreatePoolBody = z.input<typeof createPoolBody>;
export type PatchPoolBody = z.input<typeof patchPoolBody>;

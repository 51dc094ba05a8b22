/** Variables (README, "Variables"): what /variables takes and answers. */
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { pathId, totalEntries } from './fields.ts';

export const variable = z
  .object({
    key: z.string(),
    value: z.string().meta({ description: 'the value as text; "***" for a secret variable (its key contains secret, password, token, api_key or private)' }),
    description: z.string(),
  })
  .meta({ id: 'Variable' });

export const variableList = z.object({ variables: z.array(variable), totalEntries }).meta({ id: 'VariableList' });

export const variablePath = z.strictObject({ key: pathId() });

/** At most this many characters: a variable is a setting, not a data store (1 MB is also the body limit). */
const MAX_VALUE = 500_000;

const value = z
  .string({ error: (issue) => `must be text, got ${showValue(issue.input)}; to keep JSON in a variable, send it as a string (JSON.stringify it)` })
  .max(MAX_VALUE, { error: `must be at most ${MAX_VALUE.toLocaleString('en-US')} characters` });

const description = z.string().max(1000, { error: 'must be at most 1,000 characters' });

export const createVariableBody = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,250}$/, { error: 'must be 1 to 250 letters, digits, "_", "." or "-", as ctx.variable() names it' })
    .meta({ examples: ['report_recipients'] }),
  value,
  description: description.optional().meta({ description: "'' if left out" }),
});

export const patchVariableBody = z
  .strictObject({
    value: value.optional().meta({ description: 'for a secret variable, "***" (what GET shows) keeps the stored value' }),
    description: description.optional(),
  })
  .refine((b) => b.value !== undefined || b.description !== undefined, { error: 'name what to change: value, description, or both', path: ['value'] });

export type Variable = z.infer<typeof variable>;
export type VariableList = z.infer<typeof variableList>;
export type CreateVariableBody = z.input<typeof createVariableBody>;
export type PatchVariableBody = z.input<typeof patchVariableBody>;

/** `sluice variables …` (README, "Variables"): what tasks read with ctx.variable(). Secret values are shown as ***. */
import { createVariableBody } from '../../api/schemas/variables.ts';
import { SecretBox } from '../../engine/secret-box.ts';
import { listVariables, putVariable, removeVariable, requireVariable } from '../../engine/variables.ts';
import { UsageError } from '../args.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { printJson, printTable } from '../output.ts';

const set = command({
  name: 'variables set',
  summary: 'create a variable or replace its value (a key containing secret, password, token, api_key or private is stored encrypted)',
  args: ['key', 'value'],
  flags: { description: { type: 'string', value: 'TEXT' } },
  async run(ctx, { positionals: [key, value], values, json }) {
    // The API's own rules for a key, a value and a description, with the same messages.
    const parsed = createVariableBody.safeParse({ key, value, description: values.description });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path[0] === 'description' ? '--description' : `the ${String(i.path[0])}`} ${i.message}`).join('; '));
    return withServices(ctx, async ({ db }) => {
      const variable = await putVariable(db, new SecretBox(ctx.config.secretKeys), key, value, values.description, ctx.actor);
      if (json) printJson(variable);
      else console.log(`variable ${key} set${variable.value === '***' ? ' (secret: stored encrypted)' : ''}`);
      return 0;
    });
  },
});

const get = command({
  name: 'variables get',
  summary: "a variable's value (*** for a secret one)",
  args: ['key'],
  flags: {},
  async run(ctx, { positionals: [key], json }) {
    return withServices(ctx, async ({ db }) => {
      const variable = await requireVariable(db, key);
      if (json) printJson(variable);
      else console.log(variable.value);
      return 0;
    });
  },
});

const list = command({
  name: 'variables list',
  summary: 'the variables in the metadata database (secret values shown as ***); SLUICE_VAR_* environment variables are not listed',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    return withServices(ctx, async ({ db }) => {
      const variables = await listVariables(db);
      if (json) printJson({ variables, totalEntries: variables.length });
      else printTable(['key', 'value', 'description'], variables.map((v) => [v.key, v.value.length > 60 ? `${v.value.slice(0, 57)}...` : v.value, v.description]));
      return 0;
    });
  },
});

const remove = command({
  name: 'variables delete',
  summary: 'delete a variable',
  args: ['key'],
  flags: {},
  async run(ctx, { positionals: [key] }) {
    return withServices(ctx, async ({ db }) => {
      await removeVariable(db, key, ctx.actor);
      console.log(`variable ${key} deleted`);
      return 0;
    });
  },
});

export const VARIABLE_COMMANDS = [set, get, list, remove];

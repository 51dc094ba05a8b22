import { SecretBox } from '../../engine/secret-box.ts';
import { addVariable, changeVariable, listVariables, removeVariable, requireVariable } from '../../engine/variables.ts';
import type { ApiDeps } from '../context.ts';
import { defineRoute } from '../route.ts';
import { nothing } from '../schemas/fields.ts';
import { createVariableBody, patchVariableBody, variable, variableList, variablePath } from '../schemas/variables.ts';

const TAG = 'Variables';
const SECRET_400 = 'a secret variable (its key contains secret, password, token, api_key or private) with no SLUICE_SECRET_KEY set';

const box = (deps: ApiDeps) => new SecretBox(deps.config.secretKeys);

export const variableRoutes = [
  defineRoute({
    operationId: 'listVariables',
    method: 'get',
    minRole: 'viewer',
    path: '/variables',
    tag: TAG,
    summary: 'Every variable in the metadata database, secret ones shown as "***"',
    description: 'Variables set only as SLUICE_VAR_<KEY> environment variables are not listed: only the processes that have them see them.',
    answers: { 200: { description: 'every variable, by key', schema: variableList } },
    async handle(_request, { deps }) {
      const variables = await listVariables(deps.services.db);
      return { status: 200, body: { variables, totalEntries: variables.length } };
    },
  }),

  defineRoute({
    operationId: 'createVariable',
    method: 'post',
    minRole: 'admin',
    path: '/variables',
    tag: TAG,
    summary: 'Create a variable',
    description: 'A secret variable is stored encrypted with SLUICE_SECRET_KEY, and refused (400) without it.',
    body: createVariableBody,
    answers: { 201: { description: 'the variable; Location names it', schema: variable } },
    errors: { 400: SECRET_400, 409: 'a variable of that key exists (change it with PATCH)' },
    async handle({ body }, { deps, caller }) {
      const created = await addVariable(deps.services.db, box(deps), body.key, body.value, body.description, caller.name);
      return { status: 201, location: `/api/v1/variables/${encodeURIComponent(created.key)}`, body: created };
    },
  }),

  defineRoute({
    operationId: 'getVariable',
    method: 'get',
    minRole: 'viewer',
    path: '/variables/:key',
    tag: TAG,
    summary: 'One variable, "***" if secret',
    params: variablePath,
    answers: { 200: { description: 'the variable', schema: variable } },
    errors: { 404: 'no such variable in the metadata database' },
    async handle({ params: { key } }, { deps }) {
      return { status: 200, body: await requireVariable(deps.services.db, key) };
    },
  }),

  defineRoute({
    operationId: 'patchVariable',
    method: 'patch',
    minRole: 'admin',
    path: '/variables/:key',
    tag: TAG,
    summary: "Change a variable's value or description",
    params: variablePath,
    body: patchVariableBody,
    answers: { 200: { description: 'the variable as it is now', schema: variable } },
    errors: { 400: SECRET_400, 404: 'no such variable' },
    async handle({ params: { key }, body }, { deps, caller }) {
      return { status: 200, body: await changeVariable(deps.services.db, box(deps), key, body, caller.name) };
    },
  }),

  defineRoute({
    operationId: 'deleteVariable',
    method: 'delete',
    minRole: 'admin',
    path: '/variables/:key',
    tag: TAG,
    summary: 'Delete a variable',
    params: variablePath,
    query: nothing,
    answers: { 204: { description: 'deleted', empty: true } },
    errors: { 404: 'no such variable' },
    async handle({ params: { key } }, { deps, caller }) {
      await removeVariable(deps.services.db, key, caller.name);
      return { status: 204 };
    },
  }),
];

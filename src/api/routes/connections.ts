import { addConnection, changeConnection, listConnections, removeConnection, requireConnection } from '../../engine/connections.ts';
import { SecretBox } from '../../engine/secret-box.ts';
import type { ApiDeps } from '../context.ts';
import { defineRoute } from '../route.ts';
import { connection, connectionList, connectionPath, createConnectionBody, patchConnectionBody } from '../schemas/connections.ts';
import { nothing } from '../schemas/fields.ts';

const TAG = 'Connections';
const KEY_409 = 'a stored password or extra cannot be decrypted with SLUICE_SECRET_KEY (or SLUICE_SECRET_KEY_PREVIOUS): the message says which key to set';

const box = (deps: ApiDeps) => new SecretBox(deps.config.secretKeys);

export const connectionRoutes = [
  defineRoute({
    operationId: 'listConnections',
    method: 'get',
    minRole: 'viewer',
    path: '/connections',
    tag: TAG,
    summary: 'Every connection in the metadata database, passwords shown as "***"',
    description: 'Connections set only as SLUICE_CONN_<ID> environment variables are not listed: only the processes that have them see them.',
    answers: { 200: { description: 'every connection, by id', schema: connectionList } },
    errors: { 409: KEY_409 },
    async handle(_request, { deps }) {
      const connections = await listConnections(deps.services.db, box(deps));
      return { status: 200, body: { connections, totalEntries: connections.length } };
    },
  }),

  defineRoute({
    operationId: 'createConnection',
    method: 'post',
    minRole: 'admin',
    path: '/connections',
    tag: TAG,
    summary: 'Create a connection, from its fields or a URI',
    description: 'The password and extra are stored encrypted with SLUICE_SECRET_KEY; without that key a connection with a password is refused (400).',
    body: createConnectionBody,
    answers: { 201: { description: 'the connection; Location names it', schema: connection } },
    errors: { 400: 'a password with no SLUICE_SECRET_KEY set, or a URI that cannot be read', 409: 'a connection of that id exists (change it with PATCH)' },
    async handle({ body: { connectionId, ...fields } }, { deps, caller }) {
      const created = await addConnection(deps.services.db, box(deps), connectionId, fields, caller.name);
      return { status: 201, location: `/api/v1/connections/${encodeURIComponent(connectionId)}`, body: created };
    },
  }),

  defineRoute({
    operationId: 'getConnection',
    method: 'get',
    minRole: 'viewer',
    path: '/connections/:connectionId',
    tag: TAG,
    summary: 'One connection, its password shown as "***"',
    params: connectionPath,
    answers: { 200: { description: 'the connection', schema: connection } },
    errors: { 404: 'no such connection in the metadata database', 409: KEY_409 },
    async handle({ params: { connectionId } }, { deps }) {
      return { status: 200, body: await requireConnection(deps.services.db, box(deps), connectionId) };
    },
  }),

  defineRoute({
    operationId: 'patchConnection',
    method: 'patch',
    minRole: 'admin',
    path: '/connections/:connectionId',
    tag: TAG,
    summary: "Change a connection's fields; those left out stay",
    params: connectionPath,
    body: patchConnectionBody,
    answers: { 200: { description: 'the connection as it is now', schema: connection } },
    errors: { 400: 'a password with no SLUICE_SECRET_KEY set', 404: 'no such connection', 409: KEY_409 },
    async handle({ params: { connectionId }, body }, { deps, caller }) {
      return { status: 200, body: await changeConnection(deps.services.db, box(deps), connectionId, body, caller.name) };
    },
  }),

  defineRoute({
    operationId: 'deleteConnection',
    method: 'delete',
    minRole: 'admin',
    path: '/connections/:connectionId',
    tag: TAG,
    summary: 'Delete a connection',
    params: connectionPath,
    query: nothing,
    answers: { 204: { description: 'deleted', empty: true } },
    errors: { 404: 'no such connection' },
    async handle({ params: { connectionId } }, { deps, caller }) {
      await removeConnection(deps.services.db, connectionId, caller.name);
      return { status: 204 };
    },
  }),
];

/** `sluice connections …` (README, "Connections"): what tasks read with ctx.connection(). Passwords are never printed. */
import { createConnectionBody } from '../../api/schemas/connections.ts';
import { addConnection, listConnections, removeConnection, requireConnection, type Connection } from '../../engine/connections.ts';
import { SecretBox } from '../../engine/secret-box.ts';
import { UsageError, jsonObjectFlag } from '../args.ts';
import { command } from '../command.ts';
import { withServices, type CliContext } from '../context.ts';
import { printJson, printTable } from '../output.ts';

const box = (ctx: CliContext) => new SecretBox(ctx.config.secretKeys);

const FLAG_OF: Record<string, string> = { connectionId: 'the connection id', uri: '--uri', extra: '--extra' };

const row = (c: Connection) => [c.connectionId, c.connType, c.host, c.port, c.login, c.password, c.schema, Object.keys(c.extra).length ? JSON.stringify(c.extra) : ''];
const HEADERS = ['conn_id', 'conn_type', 'host', 'port', 'login', 'password', 'schema', 'extra'];

const add = command({
  name: 'connections add',
  summary: 'add a connection from its URI (type://login:password@host:port/schema?extra=…); --extra JSON is merged over the query parameters',
  args: ['id'],
  flags: { uri: { type: 'string', value: 'URI' }, extra: { type: 'string', value: 'JSON' } },
  async run(ctx, { positionals: [connectionId], values, json }) {
    if (values.uri === undefined) throw new UsageError('connections add needs --uri URI, e.g. --uri postgres://user:password@host:5432/db');
    // The API's own reading of a new connection: the same id rule and URI parsing, the same messages.
    const parsed = createConnectionBody.safeParse({ connectionId, uri: values.uri, extra: jsonObjectFlag(values.extra, '--extra') });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${FLAG_OF[String(i.path[0])] ?? String(i.path[0])} ${i.message}`).join('; '));
    const { connectionId: id, ...fields } = parsed.data;
    return withServices(ctx, async ({ db }) => {
      const created = await addConnection(db, box(ctx), id, fields, ctx.actor);
      if (json) printJson(created);
      else console.log(`connection ${id} added (${created.connType}${created.host ? ` on ${created.host}` : ''}${created.password ? ', password stored encrypted' : ''})`);
      return 0;
    });
  },
});

const list = command({
  name: 'connections list',
  summary: 'the connections in the metadata database (passwords shown as ***); SLUICE_CONN_* environment variables are not listed',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    return withServices(ctx, async ({ db }) => {
      const connections = await listConnections(db, box(ctx));
      if (json) printJson({ connections, totalEntries: connections.length });
      else printTable(HEADERS, connections.map(row));
      return 0;
    });
  },
});

const get = command({
  name: 'connections get',
  summary: 'one connection, its password shown as ***',
  args: ['id'],
  flags: {},
  async run(ctx, { positionals: [connectionId], json }) {
    return withServices(ctx, async ({ db }) => {
      const connection = await requireConnection(db, box(ctx), connectionId);
      if (json) printJson(connection);
      else printTable(HEADERS, [row(connection)]);
      return 0;
    });
  },
});

const remove = command({
  name: 'connections delete',
  summary: 'delete a connection',
  args: ['id'],
  flags: {},
  async run(ctx, { positionals: [connectionId] }) {
    return withServices(ctx, async ({ db }) => {
      await removeConnection(db, connectionId, ctx.actor);
      console.log(`connection ${connectionId} deleted`);
      return 0;
    });
  },
});

export const CONNECTION_COMMANDS = [add, list, get, remove];

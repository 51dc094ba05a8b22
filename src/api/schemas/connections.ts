/** Connections (README, "Connections"): what /connections takes and answers. */
import { z } from 'zod';
import { ConnectionUriError, parseConnectionUri, type ConnectionFields } from '../../core/connection-uri.ts';
import { showValue } from '../../core/show-value.ts';
import { jsonObject, pathId, totalEntries } from './fields.ts';

const text = (max: number, what: string) =>
  z.string({ error: (issue) => `must be ${what} as text (or null), got ${showValue(issue.input)}` }).max(max, { error: `must be at most ${max.toLocaleString('en-US')} characters` });

export const connectionIdField = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,200}$/, { error: 'must be 1 to 200 letters, digits, "_", "." or "-", as ctx.connection() names it' })
  .meta({ examples: ['warehouse'] });

const connType = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_+.-]{0,49}$/, { error: 'must be a connection type like postgres, mongodb or aws: a letter, then up to 49 letters, digits, "_", "+", "." or "-"' })
  .meta({ examples: ['postgres'] });
const host = text(1000, 'a host name').nullable();
const port = z
  .number({ error: (issue) => `must be a port number from 0 to 65535 (or null), got ${showValue(issue.input)}` })
  .int({ error: 'must be a whole port number' })
  .min(0, { error: 'must be 0 to 65535' })
  .max(65535, { error: 'must be 0 to 65535' })
  .nullable();
const login = text(1000, 'a user name').nullable();
const password = text(10_000, 'a password').nullable().meta({ description: 'write only: answers show "***" when one is set; PATCH with "***" keeps it, with null removes it' });
const schema = text(1000, 'a schema or database name').nullable();
const extra = jsonObject.meta({ description: 'settings of the connection type (for a URI: its query parameters)' });

export const connection = z
  .object({
    connectionId: z.string(),
    connType: z.string(),
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    login: z.string().nullable(),
    password: z.literal('***').nullable().meta({ description: '"***" when a password is set, null when none is: the password is never returned' }),
    schema: z.string().nullable(),
    extra: z.record(z.string(), z.unknown()).meta({ description: 'entries whose key names a secret (password, token, secret, api_key, private) show "***"' }),
  })
  .meta({ id: 'Connection' });

export const connectionList = z.object({ connections: z.array(connection), totalEntries }).meta({ id: 'ConnectionList' });

export const connectionPath = z.strictObject({ connectionId: pathId() });

/**
 * A new connection: its fields, or a `uri` (whose query parameters are its extra; an `extra`
 * given beside it is merged over them). Read into the connection's fields in one place, here.
 */
export const createConnectionBody = z
  .strictObject({
    connectionId: connectionIdField,
    uri: z.string().max(10_000).optional().meta({ description: 'the whole connection as type://login:password@host:port/schema?extra=…; instead of connType and the other fields', examples: ['postgres://etl:secret@db:5432/warehouse?sslmode=require'] }),
    connType: connType.optional().meta({ description: 'required unless uri is given' }),
    host: host.optional(),
    port: port.optional(),
    login: login.optional(),
    password: password.optional(),
    schema: schema.optional(),
    extra: extra.optional(),
  })
  .transform((body, ctx): ConnectionFields & { connectionId: string } => {
    const fields = ['connType', 'host', 'port', 'login', 'password', 'schema'] as const;
    if (body.uri !== undefined) {
      const beside = fields.filter((f) => body[f] !== undefined);
      if (beside.length) ctx.addIssue({ code: 'custom', path: [beside[0]!], message: 'give either uri or the fields (connType, host, …), not both; extra may go with uri' });
      try {
        const parsed = parseConnectionUri(body.uri);
        return { connectionId: body.connectionId, ...parsed, extra: { ...parsed.extra, ...body.extra } };
      } catch (error) {
        if (!(error instanceof ConnectionUriError)) throw error;
        ctx.addIssue({ code: 'custom', path: ['uri'], message: error.message });
        return z.NEVER;
      }
    }
    if (body.connType === undefined) {
      ctx.addIssue({ code: 'custom', path: ['connType'], message: 'is required: give connType (with host, port, …) or a uri' });
      return z.NEVER;
    }
    return {
      connectionId: body.connectionId,
      connType: body.connType,
      host: body.host ?? null,
      port: body.port ?? null,
      login: body.login ?? null,
      password: body.password ?? null,
      schema: body.schema ?? null,
      extra: body.extra ?? {},
    };
  });

export const patchConnectionBody = z
  .strictObject({
    connType: connType.optional(),
    host: host.optional(),
    port: port.optional(),
    login: login.optional(),
    password: password.optional(),
    schema: schema.optional(),
    extra: extra.optional().meta({ description: 'replaces the whole extra; an entry of "***" keeps its stored value' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { error: 'name what to change: connType, host, port, login, password, schema or extra', path: ['connType'] });

export type Connection = z.infer<typeof connection>;
export type ConnectionList = z.infer<typeof connectionList>;
export type CreateConnectionBody = z.input<typeof createConnectionBody>;
export type PatchConnectionBody = z.input<typeof patchConnectionBody>;

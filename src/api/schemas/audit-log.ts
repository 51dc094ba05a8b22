/** The audit log (README, "Audit log"): what GET /auditLog takes and answers. */
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../core/audit-actions.ts';
import { showValue } from '../../core/show-value.ts';
import { isoTime, jsonRecord, pagination, totalEntries } from './fields.ts';

const ACTIONS = `${AUDIT_ACTIONS.join(', ')}, and connection_*, variable_*`;

export const auditEntry = z
  .object({
    id: z.number().int().min(1),
    when: isoTime.meta({ description: 'when the change was made' }),
    actor: z.string().meta({ description: 'who made it: the user of the API token ("anonymous" when the webserver has none), or cli:<os user>' }),
    action: z.string().meta({ description: `what was done: ${ACTIONS}` }),
    dagId: z.string().nullable().meta({ description: 'the DAG it changed; null for a pool, an asset event, a connection, a variable' }),
    dagRunId: z.string().nullable(),
    taskId: z.string().nullable(),
    details: jsonRecord.meta({
      description: "what a reader needs to know of it: a trigger's logicalDate and conf, a clear's options and the tasks it took, a mark's state, a pool's slots, a backfill's range, ...",
    }),
  })
  .meta({ id: 'AuditLogEntry' });

export const auditLog = z.object({ entries: z.array(auditEntry), totalEntries }).meta({ id: 'AuditLog' });

const filter = (what: string) =>
  z
    .string({ error: (issue) => `must be given once, as a string; got ${showValue(issue.input)}` })
    .min(1, { error: 'must not be empty' })
    .max(250, { error: 'must be at most 250 characters long' })
    .meta({ description: what });

export const auditLogQuery = z.strictObject({
  ...pagination,
  dagId: filter("only this DAG's entries").optional(),
  action: filter(`only entries of this action (${ACTIONS})`).optional(),
});

export type AuditLogEntry = z.infer<typeof auditEntry>;
export type AuditLog = z.infer<typeof auditLog>;
export type AuditLogQuery = z.output<typeof auditLogQuery>;

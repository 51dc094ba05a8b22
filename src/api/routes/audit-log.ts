import { listAuditLog } from '../../store/audit-log.ts';
import { defineRoute } from '../route.ts';
import { auditLog, auditLogQuery } from '../schemas/audit-log.ts';
import { iso } from '../serialize.ts';

export const auditLogRoutes = [
  defineRoute({
    operationId: 'listAuditLog',
    method: 'get',
    path: '/auditLog',
    tag: 'Audit log',
    minRole: 'viewer',
    summary: 'Who changed what, newest first',
    description: 'Every change made through the API, the UI or the CLI: triggers, clears, marks, pauses, backfills, asset events, pools, connections, variables.',
    query: auditLogQuery,
    answers: { 200: { description: 'a page of entries, newest first', schema: auditLog } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const { entries, total } = await listAuditLog(db, { dagId: q.dagId, action: q.action, limit: q.limit ?? 100, offset: q.offset ?? 0 });
      return { status: 200, body: { entries: entries.map((e) => ({ ...e, when: iso(e.when) })), totalEntries: total } };
    },
  }),
];

/**
 * What the audit log records (README, "Audit log"): one action per kind of change someone can make
 * through the API, the UI or the CLI. The connection_* and variable_* actions of the connections
 * and variables join this list where those changes are made.
 */
export const AUDIT_ACTIONS = [
  'trigger',
  'clear',
  'mark',
  'run_mark',
  'pause',
  'unpause',
  'backfill',
  'backfill_cancel',
  'asset_event',
  'pool_create',
  'pool_update',
  'pool_delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * What the audit log records (README, "Audit log"): one action per kind of change someone can make
 * through the API, the UI or the CLI.
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
  'connection_create',
  'connection_update',
  'connection_delete',
  'variable_create',
  'variable_update',
  'variable_delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

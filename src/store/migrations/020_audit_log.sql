-- The audit log (README, "Audit log"): who changed what through the API, the UI or the CLI. One row
-- per change, written in the transaction of the change itself (src/store/audit-log.ts). Rows are
-- only ever inserted; the id orders them (newest first is id DESC).
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  -- A token's user, "anonymous" without tokens, or cli:<os user>.
  actor text NOT NULL,
  action text NOT NULL,
  dag_id text,
  dag_run_id text,
  task_id text,
  details jsonb NOT NULL DEFAULT '{}'
);

-- The two filters of GET /auditLog, each read newest first: one DAG's entries (the DAG page's tab),
-- one action's. Partial on dag_id: pool and asset changes belong to no DAG.
CREATE INDEX audit_log_by_dag ON audit_log (dag_id, id DESC) WHERE dag_id IS NOT NULL;
CREATE INDEX audit_log_by_action ON audit_log (action, id DESC);

-- Task instances come and go in bursts (a 5,000-task fan-out, a 365-run backfill) faster than
-- autovacuum analyzes, and a planner with stale statistics picked small partial indexes that do
-- not lead with the row's key for key lookups, filtering thousands of rows per lookup. Every
-- partial index now leads with, or ends in, the full key, so even a stale plan finds a row by it.
DROP INDEX ti_occupying_dag;
CREATE INDEX ti_occupying_dag ON task_instances (dag_id, run_id, task_id) WHERE state IN ('queued', 'running');

DROP INDEX ti_occupying_pool;
CREATE INDEX ti_occupying_pool ON task_instances (pool, dag_id, run_id, task_id) WHERE state IN ('queued', 'running');

DROP INDEX ti_scheduled;
CREATE INDEX ti_scheduled ON task_instances (dag_id, run_id, task_id) WHERE state = 'scheduled';

DROP INDEX ti_queued;
CREATE INDEX ti_queued ON task_instances (dag_id, run_id, task_id) WHERE state = 'queued';

-- Heartbeats update heartbeat_at often; with no index on it those updates can be HOT. The
-- lost-try check reads the running rows through ti_occupying_dag instead.
DROP INDEX ti_running;

ALTER TABLE task_instances SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE dag_runs SET (autovacuum_analyze_scale_factor = 0.02);

-- sluice_finalize_run(p_dag_id, p_run_id): the run-end rule, in one statement
--
-- Ends a running run whose task instances are all finished: success when every leaf (a task with
-- no downstream) succeeded or was skipped, failed otherwise. The same rule as
-- runOutcome in src/core/states.ts (which `sluice dags test` uses).
--
-- Input:   p_dag_id, p_run_id.
-- Output:  the run's new state ('success' or 'failed'), or NULL when the run goes on (or was not
--          running).
-- Guards:  only a 'running' run with no task instance in an unfinished state moves (the edges
--          running → success and running → failed of ALLOWED_TRANSITIONS in src/core/states.ts).
CREATE OR REPLACE FUNCTION sluice_finalize_run(p_dag_id text, p_run_id text) RETURNS text
LANGUAGE sql AS $$
  UPDATE dag_runs r
     SET state = CASE WHEN EXISTS (
           SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id
             AND cardinality(ti.downstream) = 0 AND ti.state NOT IN ({{SUCCESSFUL_LEAF_STATES}}))
         THEN 'failed' ELSE 'success' END,
         end_date = clock_timestamp()
   WHERE r.dag_id = p_dag_id AND r.run_id = p_run_id AND r.state = 'running'
     AND NOT EXISTS (
       SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id
         AND ti.state IN ({{UNFINISHED_TASK_STATES}}))
  RETURNING r.state
$$;

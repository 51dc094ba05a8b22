-- sluice_add_upstream_counts(...): moves downstream rows' upstream counts
--
-- The one place that maps an upstream's state to the counter it counts in: the trigger
-- ti_upstream_counts (ti_propagate_upstream_counts.sql) calls it for every UPDATE of task
-- instances, sluice_complete_tries for its ends.
--
-- Input:   parallel arrays, one element per (upstream change, downstream task): the downstream
--          row's dag id, run id and task id, the upstream's state, and +1 (it is now in that
--          state) or -1 (it left it). States that are not counted (FINISHED_TASK_STATES) are
--          ignored; an element and its opposite cancel out.
-- Output:  none.
-- Locking: the downstream rows it changes, to commit (callers that may share several with
--          another transaction lock them in key order first).
CREATE OR REPLACE FUNCTION sluice_add_upstream_counts(
  p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_states text[], p_signs integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_instances d
     SET upstream_success = d.upstream_success + x.d_success,
         upstream_failed = d.upstream_failed + x.d_failed,
         upstream_upstream_failed = d.upstream_upstream_failed + x.d_upstream_failed,
         upstream_skipped = d.upstream_skipped + x.d_skipped
    FROM (
      SELECT c.dag_id, c.run_id, c.task_id,
             sum(c.sign * (c.state = 'success')::int) AS d_success, sum(c.sign * (c.state = 'failed')::int) AS d_failed,
             sum(c.sign * (c.state = 'upstream_failed')::int) AS d_upstream_failed, sum(c.sign * (c.state = 'skipped')::int) AS d_skipped
        FROM unnest(p_dag_ids, p_run_ids, p_task_ids, p_states, p_signs) AS c(dag_id, run_id, task_id, state, sign)
       WHERE c.state IN ({{FINISHED_TASK_STATES}})
       GROUP BY c.dag_id, c.run_id, c.task_id
      HAVING (sum(c.sign * (c.state = 'success')::int), sum(c.sign * (c.state = 'failed')::int),
              sum(c.sign * (c.state = 'upstream_failed')::int), sum(c.sign * (c.state = 'skipped')::int)) <> (0, 0, 0, 0)
    ) x
   WHERE d.dag_id = x.dag_id AND d.run_id = x.run_id AND d.task_id = x.task_id;
END $$;

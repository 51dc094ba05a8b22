-- sluice_queue_admitted(...): the one statement of admission's transition scheduled → queued
--
-- Shared by sluice_admit_scheduled (one DAG's tasks) and sluice_admit_pool (a pool's, across
-- DAGs), which decide who is admitted; this moves them.
--
-- Input:   parallel arrays: dag id, run id, task id, map index of each task instance admitted.
-- Output:  the tries queued: (dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight).
-- Guards:  only task instances still 'scheduled' move, to 'queued' with the next try number (the
--          edge scheduled → queued of ALLOWED_TRANSITIONS in src/core/states.ts, the store's
--          admitScheduled transition), or with the same one for a sensor's try resumed after a
--          reschedule (reschedule_count > 0: its next check is the same try).
-- Locking: the rows it moves; the callers hold admission's advisory locks.
CREATE OR REPLACE FUNCTION sluice_queue_admitted(p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_map_indexes integer[])
RETURNS TABLE (dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text, queue text, priority_weight integer)
-- PL/pgSQL, not SQL: its statement's plan is then cached for the session, as the callers' are.
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  -- A few rows (a completion's hand-over, most admissions): the cached plan. Many (a run's first
  -- tasks of a wide DAG, a mapped task's instances): a plan made for these arrays. The cached,
  -- generic plan knows neither how many there are nor, when they were inserted in this
  -- transaction (an expansion), how many rows the table has; it read the 10,000 elements once
  -- per row of a mapped task's 10,000 (68 s), where a plan for them hashes one side (0.5 s).
  IF cardinality(p_dag_ids) > 64 THEN
    RETURN QUERY EXECUTE
      'UPDATE task_instances ti SET state = ''queued'', try_number = ti.try_number + CASE WHEN ti.reschedule_count > 0 THEN 0 ELSE 1 END, queued_at = clock_timestamp(),
         next_try_at = NULL
       FROM unnest($1, $2, $3, $4) AS a(dag_id, run_id, task_id, map_index)
       WHERE ti.dag_id = a.dag_id AND ti.run_id = a.run_id AND ti.task_id = a.task_id AND ti.map_index = a.map_index
         AND ti.state = ''scheduled''
       RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number, ti.pool, ti.queue, ti.priority_weight'
      USING p_dag_ids, p_run_ids, p_task_ids, p_map_indexes;
    RETURN;
  END IF;
  RETURN QUERY UPDATE task_instances ti SET state = 'queued', try_number = ti.try_number + CASE WHEN ti.reschedule_count > 0 THEN 0 ELSE 1 END, queued_at = clock_timestamp(),
    next_try_at = NULL
  FROM unnest(p_dag_ids, p_run_ids, p_task_ids, p_map_indexes) AS a(dag_id, run_id, task_id, map_index)
  WHERE ti.dag_id = a.dag_id AND ti.run_id = a.run_id AND ti.task_id = a.task_id AND ti.map_index = a.map_index
    AND ti.state = 'scheduled'
  RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number, ti.pool, ti.queue, ti.priority_weight;
END $$;

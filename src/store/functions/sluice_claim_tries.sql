-- sluice_claim_tries(...): a worker's claim of a batch of tries, the fence of at-least-once delivery
--
-- Marks the tries running on this worker, exactly these try numbers: a message whose try was
-- already taken, cleared or timed out finds its row in another state or with another try number,
-- claims nothing, and its try is dropped by the caller. Called by claimTries
-- (src/store/task-instances.ts) and, with a batch of ended tries, by sluice_claim_and_complete_tries.
--
-- Input:   parallel arrays, one element per try: dag id, run id, task id, map index, try number;
--          the worker's id and host name.
-- Output:  one row per try claimed: its key, max_tries, the try's start, its element of a mapped
--          task's array (map_item), how many times the try was rescheduled (a sensor's checks
--          before this one), and what the task's context needs of its run (logical date, data
--          interval, conf, DAG version). The try's start is now, or for a try resumed after a
--          reschedule the start of its first check (a sensor's timeout counts from it).
-- Guards:  only rows still 'queued' with that try number move, to 'running' (the edge
--          queued → running of ALLOWED_TRANSITIONS in src/core/states.ts).
-- Plans:   generic (see SET below).
-- Locking: the claimed rows (row locks, to commit); the run rows are only read.
CREATE OR REPLACE FUNCTION sluice_claim_tries(
  p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_map_indexes integer[], p_try_numbers integer[],
  p_worker_id text, p_hostname text)
RETURNS TABLE (dag_id text, run_id text, task_id text, map_index integer, try_number integer, max_tries integer,
  map_item jsonb, start_date timestamptz, reschedule_count integer,
  logical_date timestamptz, data_interval_start timestamptz, data_interval_end timestamptz, conf jsonb, version_hash text)
LANGUAGE plpgsql
-- Generic plans: the statement is the same every time with a small array; planning it on each
-- call cost as much as running it (sluice_complete_tries measured the same).
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    UPDATE task_instances ti SET state = 'running',
      start_date = CASE WHEN ti.reschedule_count > 0 THEN COALESCE(ti.start_date, clock_timestamp()) ELSE clock_timestamp() END,
      end_date = NULL, duration_ms = NULL,
      heartbeat_at = clock_timestamp(), hostname = p_hostname, worker_id = p_worker_id, error = NULL
    FROM unnest(p_dag_ids, p_run_ids, p_task_ids, p_map_indexes, p_try_numbers) AS k(dag_id, run_id, task_id, map_index, try_number),
      dag_runs r
    WHERE ti.dag_id = k.dag_id AND ti.run_id = k.run_id AND ti.task_id = k.task_id AND ti.map_index = k.map_index
      AND ti.try_number = k.try_number
      AND ti.state = 'queued' AND r.dag_id = ti.dag_id AND r.run_id = ti.run_id
    RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number, ti.max_tries, ti.map_item, ti.start_date,
      ti.reschedule_count, r.logical_date,
      r.data_interval_start, r.data_interval_end, r.conf, r.version_hash;
END $$;

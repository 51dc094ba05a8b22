-- Admission in one round trip: the fast path runs it after every try, so it must be cheap.
-- Gives free slots (the DAG's maxActiveTasks, each pool's slots) to the DAG's scheduled task
-- instances in priority order, oldest run first, and queues them with a new try number.
-- Advisory locks (the DAG first, then its pools in name order) serialise concurrent deciders,
-- and each count is read by a statement that starts after the lock is held.
CREATE FUNCTION sluice_admit_scheduled(p_dag_id text)
RETURNS TABLE (run_id text, task_id text, try_number integer, pool text, priority_weight integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_room integer;
  v_pool text;
  v_pool_room jsonb := '{}';
  v_candidate record;
  v_left integer;
  v_admitted_runs text[] := '{}';
  v_admitted_tasks text[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled') THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('sluice.dag.' || p_dag_id));
  SELECT (d.spec->>'maxActiveTasks')::int - (
           SELECT count(*) FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state IN ('queued', 'running'))
    INTO v_room FROM dags d WHERE d.dag_id = p_dag_id;
  IF v_room IS NULL OR v_room <= 0 THEN
    RETURN;
  END IF;
  FOR v_pool IN
    SELECT DISTINCT ti.pool FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled' ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(hashtext('sluice.pool.' || v_pool));
  END LOOP;
  SELECT COALESCE(jsonb_object_agg(x.pool, x.room), '{}') INTO v_pool_room FROM (
    SELECT p.pool, COALESCE(pl.slots, 128) - COALESCE(
      (SELECT sum(o.pool_slots) FROM task_instances o WHERE o.pool = p.pool AND o.state IN ('queued', 'running')), 0) AS room
    FROM (SELECT DISTINCT ti.pool FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled') p
    LEFT JOIN pools pl ON pl.pool = p.pool
  ) x;
  FOR v_candidate IN
    SELECT ti.run_id, ti.task_id, ti.pool, ti.pool_slots
    FROM task_instances ti JOIN dag_runs r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
    WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled' AND r.state = 'running'
    ORDER BY ti.priority_weight DESC, r.logical_date, ti.task_id
    LIMIT v_room
  LOOP
    v_left := COALESCE((v_pool_room->>v_candidate.pool)::int, 0);
    CONTINUE WHEN v_candidate.pool_slots > v_left;
    v_pool_room := jsonb_set(v_pool_room, ARRAY[v_candidate.pool], to_jsonb(v_left - v_candidate.pool_slots));
    v_admitted_runs := v_admitted_runs || v_candidate.run_id;
    v_admitted_tasks := v_admitted_tasks || v_candidate.task_id;
  END LOOP;
  RETURN QUERY
    UPDATE task_instances ti SET state = 'queued', try_number = ti.try_number + 1, queued_at = clock_timestamp(),
      next_try_at = NULL
    FROM unnest(v_admitted_runs, v_admitted_tasks) AS a(run_id, task_id)
    WHERE ti.dag_id = p_dag_id AND ti.run_id = a.run_id AND ti.task_id = a.task_id AND ti.state = 'scheduled'
    RETURNING ti.run_id, ti.task_id, ti.try_number, ti.pool, ti.priority_weight;
END $$;

-- Ends a running run whose task instances are all finished, in one statement: success when
-- every leaf succeeded or was skipped. Returns the new state, or NULL when the run goes on.
CREATE FUNCTION sluice_finalize_run(p_dag_id text, p_run_id text) RETURNS text
LANGUAGE sql AS $$
  UPDATE dag_runs r
     SET state = CASE WHEN EXISTS (
           SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id
             AND cardinality(ti.downstream) = 0 AND ti.state NOT IN ('success', 'skipped'))
         THEN 'failed' ELSE 'success' END,
         end_date = clock_timestamp()
   WHERE r.dag_id = p_dag_id AND r.run_id = p_run_id AND r.state = 'running'
     AND NOT EXISTS (
       SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id
         AND ti.state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry'))
  RETURNING r.state
$$;

-- sluice_admit_scheduled(p_dag_id): admission in one round trip
--
-- Gives free slots (the DAG's max_active_tasks, each pool's slots) to the DAG's scheduled task
-- instances in priority order, oldest run first, and queues them with a new try number. The fast
-- path runs it after every try, so it must be cheap.
--
-- Input:   p_dag_id.
-- Output:  the tries queued: (run_id, task_id, map_index, try_number, pool, queue, priority_weight); the caller
--          sends their messages after commit.
-- Guards:  only task instances still 'scheduled' of runs still 'running' move, to 'queued'
--          (the edge scheduled → queued of ALLOWED_TRANSITIONS in src/core/states.ts).
-- Locking: advisory locks (the DAG first, then its pools in name order) serialise concurrent
--          deciders, and each count is read by a statement that starts after the lock is held,
--          so two deciders never over-commit a limit. The candidates are row-locked as they are
--          read, SKIP LOCKED: a task another transaction holds is one a worker's completion is
--          handing its freed slot to (sluice_hand_over_slots locks it, then waits for this DAG's
--          lock to admit more), and waiting for it here, holding the DAG's lock, deadlocked the
--          two (seen with 1,000 sensors coming due every second). It is that transaction's to queue.
CREATE OR REPLACE FUNCTION sluice_admit_scheduled(p_dag_id text)
RETURNS TABLE (run_id text, task_id text, map_index integer, try_number integer, pool text, queue text, priority_weight integer)
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
  v_admitted_indexes integer[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled') THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('sluice.dag.' || p_dag_id));
  v_room := sluice_dag_room(p_dag_id);
  IF v_room IS NULL OR v_room <= 0 THEN
    RETURN;
  END IF;
  FOR v_pool IN
    SELECT DISTINCT ti.pool FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled' ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(hashtext('sluice.pool.' || v_pool));
  END LOOP;
  SELECT COALESCE(jsonb_object_agg(p.pool, sluice_pool_room(p.pool)), '{}') INTO v_pool_room
  FROM (SELECT DISTINCT ti.pool FROM task_instances ti WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled') p;
  FOR v_candidate IN
    SELECT ti.run_id, ti.task_id, ti.map_index, ti.pool, ti.pool_slots
    FROM task_instances ti JOIN dag_runs r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
    WHERE ti.dag_id = p_dag_id AND ti.state = 'scheduled' AND r.state = 'running'
    ORDER BY ti.priority_weight DESC, ti.run_logical_date, ti.task_id, ti.map_index
    LIMIT v_room
    FOR NO KEY UPDATE OF ti SKIP LOCKED
  LOOP
    v_left := COALESCE((v_pool_room->>v_candidate.pool)::int, 0);
    CONTINUE WHEN v_candidate.pool_slots > v_left;
    v_pool_room := jsonb_set(v_pool_room, ARRAY[v_candidate.pool], to_jsonb(v_left - v_candidate.pool_slots));
    v_admitted_runs := v_admitted_runs || v_candidate.run_id;
    v_admitted_tasks := v_admitted_tasks || v_candidate.task_id;
    v_admitted_indexes := v_admitted_indexes || v_candidate.map_index;
  END LOOP;
  -- Nothing to queue is no statement: an UPDATE of no row still runs the counts trigger.
  IF cardinality(v_admitted_runs) > 0 THEN
    RETURN QUERY SELECT q.run_id, q.task_id, q.map_index, q.try_number, q.pool, q.queue, q.priority_weight
      FROM sluice_queue_admitted(array_fill(p_dag_id, ARRAY[cardinality(v_admitted_runs)]), v_admitted_runs, v_admitted_tasks,
        v_admitted_indexes) q;
  END IF;
END $$;

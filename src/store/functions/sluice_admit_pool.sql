-- sluice_admit_pool(p_pool, p_other_than): a pool's free slots to the scheduled tasks of any DAG
--
-- sluice_admit_scheduled admits one DAG's tasks: the fast path calls it for the DAGs whose tries
-- just ended. A slot freed by a DAG with nothing left to admit stayed empty until the scheduler's
-- loop admitted the other DAGs one transaction each: with 500 DAGs sharing default_pool, up to
-- 1,400 tasks waited 'scheduled' with nothing queued or running. This gives the room to the
-- pool's scheduled tasks of every DAG, in one statement, in the order sluice_admit_scheduled uses
-- within a DAG (priority weight, then oldest run), within each DAG's max_active_tasks.
--
-- Input:   p_pool; p_other_than, DAGs the caller has just admitted for: when no other DAG has a
--          task scheduled in the pool, it returns at once, without the pool's lock (a fan-out of
--          one DAG, whose batches often find the pool's room taken by another worker's, so pays
--          one cheap statement, not a wait on the lock). Their tasks are candidates like any.
-- Output:  the tries queued: (dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight); the
--          caller sends their messages after commit.
-- Guards:  only task instances still 'scheduled' of runs still 'running' move, to 'queued' (the
--          edge scheduled → queued of ALLOWED_TRANSITIONS in src/core/states.ts, the store's
--          admitScheduled transition); only tasks of this pool, so no other pool's lock is needed.
-- Locking: the pool's advisory lock first, then each candidate DAG's with a try-lock, skipping a
--          DAG whose lock is held (whoever holds it is admitting that DAG). The pool lock is the
--          only wait, so the caller must hold no other lock: run it as a statement of its own.
--          Each count is read by a statement after its lock, as in sluice_admit_scheduled, so
--          neither limit is over-committed. Candidates are row-locked SKIP LOCKED, as there: no
--          row lock is waited for either.
CREATE OR REPLACE FUNCTION sluice_admit_pool(p_pool text, p_other_than text[])
RETURNS TABLE (dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text, queue text, priority_weight integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_pool_room integer;
  v_candidate record;
  v_dag_room jsonb := '{}';
  v_left integer;
  v_dags text[] := '{}';
  v_runs text[] := '{}';
  v_tasks text[] := '{}';
  v_indexes integer[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM task_instances ti
                 WHERE ti.pool = p_pool AND ti.state = 'scheduled' AND ti.dag_id <> ALL (p_other_than)) THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('sluice.pool.' || p_pool));
  v_pool_room := sluice_pool_room(p_pool);
  IF v_pool_room <= 0 THEN
    RETURN;
  END IF;
  -- More candidates than the room: some may belong to a DAG that is full or busy. Read in
  -- admission order straight from ti_scheduled_by_pool, one table and no sort, so that only the
  -- first few are read: joined with their runs to sort the pool's every scheduled task, this was
  -- most of a completion's time with 500 DAGs waiting in one pool. Whether the run still runs is
  -- asked of each candidate instead.
  FOR v_candidate IN
    SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool_slots
    FROM task_instances ti
    WHERE ti.pool = p_pool AND ti.state = 'scheduled'
    ORDER BY ti.priority_weight DESC, ti.run_logical_date, ti.dag_id, ti.task_id, ti.map_index
    LIMIT v_pool_room * 4 + 16
    -- Skipping what another transaction holds: see sluice_admit_scheduled's Locking.
    FOR NO KEY UPDATE OF ti SKIP LOCKED
  LOOP
    EXIT WHEN v_pool_room <= 0;
    CONTINUE WHEN v_candidate.pool_slots > v_pool_room;
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM dag_runs r
                              WHERE r.dag_id = v_candidate.dag_id AND r.run_id = v_candidate.run_id AND r.state = 'running');
    IF NOT v_dag_room ? v_candidate.dag_id THEN
      v_left := 0;
      IF pg_try_advisory_xact_lock(hashtext('sluice.dag.' || v_candidate.dag_id)) THEN
        v_left := sluice_dag_room(v_candidate.dag_id);
      END IF;
      v_dag_room := v_dag_room || jsonb_build_object(v_candidate.dag_id, COALESCE(v_left, 0));
    END IF;
    v_left := (v_dag_room->>v_candidate.dag_id)::int;
    CONTINUE WHEN v_left <= 0;
    v_dag_room := jsonb_set(v_dag_room, ARRAY[v_candidate.dag_id], to_jsonb(v_left - 1));
    v_pool_room := v_pool_room - v_candidate.pool_slots;
    v_dags := v_dags || v_candidate.dag_id;
    v_runs := v_runs || v_candidate.run_id;
    v_tasks := v_tasks || v_candidate.task_id;
    v_indexes := v_indexes || v_candidate.map_index;
  END LOOP;
  -- Nothing to queue is no statement: an UPDATE of no row still runs the counts trigger.
  IF cardinality(v_dags) > 0 THEN
    RETURN QUERY SELECT * FROM sluice_queue_admitted(v_dags, v_runs, v_tasks, v_indexes);
  END IF;
END $$;

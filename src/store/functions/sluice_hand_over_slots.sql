-- sluice_hand_over_slots(...): the slots a batch of ended tries freed, to the next tasks in line
--
-- Called by sluice_complete_tries after it recorded the ends, in the same transaction. Each ended
-- try freed its pool slots and its place among its DAG's active tasks; this gives them straight to
-- the tasks scheduled in those pools, in admission order (priority weight, then the oldest run,
-- then DAG and task: sluice_admit_scheduled's and sluice_admit_pool's order), up to the slots
-- freed. The pools' advisory locks are not taken: the transaction ends those tries and queues
-- these in one commit, so a pool's occupancy is never more than it was, whatever another
-- transaction counts, before or after it. With 500 DAGs sharing one full pool,
-- every completion took that pool's lock, held through its commit's WAL flush, so completions
-- queued behind each other on it; now a full pool's slots change hands without it.
--
-- A DAG's limit (max_active_tasks, counted in tasks) is kept the same way: a task of a DAG whose
-- tries ended here takes one of the places they freed, uncounted; a task of any other DAG takes
-- one only if that DAG's lock is free (a try-lock: this transaction holds row locks, and waits for
-- no advisory lock) and its count, read after the lock, leaves room. Room beyond what was freed is
-- left to counted admission.
--
-- Input:   parallel arrays, one element per ended try: its DAG, pool and pool slots.
-- Output:  the tries queued: (dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight); the
--          caller sends their messages after commit.
-- Guards:  only task instances still 'scheduled' of runs still 'running' move, to 'queued'
--          (sluice_queue_admitted: the edge scheduled → queued, the store's admitScheduled).
-- Locking: each task it takes, FOR NO KEY UPDATE SKIP LOCKED (one another transaction is
--          admitting is left to it, never waited for); other DAGs' advisory locks with try-locks.
CREATE OR REPLACE FUNCTION sluice_hand_over_slots(p_dag_ids text[], p_pools text[], p_pool_slots integer[])
RETURNS TABLE (dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text, queue text, priority_weight integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_pool record;
  v_candidate record;
  v_free integer;
  v_counted boolean;
  v_left integer;
  -- Places among their DAG's active tasks that the ended tries freed, by DAG.
  v_dag_freed jsonb;
  -- Room of the other DAGs, counted under their lock (0: the lock was busy), by DAG.
  v_dag_room jsonb := '{}';
  v_dags text[] := '{}';
  v_runs text[] := '{}';
  v_tasks text[] := '{}';
  v_indexes integer[] := '{}';
BEGIN
  SELECT jsonb_object_agg(f.dag_id, f.n) INTO v_dag_freed
  FROM (SELECT x.dag_id, count(*) AS n FROM unnest(p_dag_ids) AS x(dag_id) GROUP BY 1) f;
  FOR v_pool IN
    SELECT x.pool, sum(x.slots)::integer AS freed FROM unnest(p_pools, p_pool_slots) AS x(pool, slots) GROUP BY 1 ORDER BY 1
  LOOP
    v_free := v_pool.freed;
    v_counted := false;
    -- In admission order from ti_scheduled_by_pool, stopping at the first few (see sluice_admit_pool).
    FOR v_candidate IN
      SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool_slots
      FROM task_instances ti
      WHERE ti.pool = v_pool.pool AND ti.state = 'scheduled'
      ORDER BY ti.priority_weight DESC, ti.run_logical_date, ti.dag_id, ti.task_id, ti.map_index
      LIMIT v_pool.freed * 4 + 16
    LOOP
      -- No more than the pool has room for, as this transaction sees it (its ends are gone, the
      -- tries others are admitting may not be there yet: it can only be less): a pool made
      -- smaller than what it holds gets nothing handed on until it is back within its size.
      -- Counted only once a task waits (a fan-out's pool holds thousands: counting them on every
      -- batch doubled its completions' cost).
      IF NOT v_counted THEN
        v_free := LEAST(v_free, sluice_pool_room(v_pool.pool));
        v_counted := true;
      END IF;
      EXIT WHEN v_free <= 0;
      CONTINUE WHEN v_candidate.pool_slots > v_free;
      CONTINUE WHEN NOT EXISTS (SELECT 1 FROM dag_runs r
                                WHERE r.dag_id = v_candidate.dag_id AND r.run_id = v_candidate.run_id AND r.state = 'running');
      -- Taken by this transaction, or left to the one admitting it now (never waited for).
      PERFORM 1 FROM task_instances ti
        WHERE ti.dag_id = v_candidate.dag_id AND ti.run_id = v_candidate.run_id AND ti.task_id = v_candidate.task_id
          AND ti.map_index = v_candidate.map_index AND ti.state = 'scheduled'
        FOR NO KEY UPDATE SKIP LOCKED;
      CONTINUE WHEN NOT FOUND;
      v_left := COALESCE((v_dag_freed->>v_candidate.dag_id)::integer, 0);
      IF v_left > 0 THEN
        v_dag_freed := jsonb_set(v_dag_freed, ARRAY[v_candidate.dag_id], to_jsonb(v_left - 1));
      ELSE
        IF NOT v_dag_room ? v_candidate.dag_id THEN
          v_left := 0;
          IF pg_try_advisory_xact_lock(hashtext('sluice.dag.' || v_candidate.dag_id)) THEN
            v_left := COALESCE(sluice_dag_room(v_candidate.dag_id), 0);
          END IF;
          v_dag_room := v_dag_room || jsonb_build_object(v_candidate.dag_id, v_left);
        END IF;
        v_left := (v_dag_room->>v_candidate.dag_id)::integer;
        CONTINUE WHEN v_left <= 0;
        v_dag_room := jsonb_set(v_dag_room, ARRAY[v_candidate.dag_id], to_jsonb(v_left - 1));
      END IF;
      v_free := v_free - v_candidate.pool_slots;
      v_dags := v_dags || v_candidate.dag_id;
      v_runs := v_runs || v_candidate.run_id;
      v_tasks := v_tasks || v_candidate.task_id;
      v_indexes := v_indexes || v_candidate.map_index;
    END LOOP;
  END LOOP;
  -- Nothing to queue is no statement: an UPDATE of no row still runs the counts trigger.
  IF cardinality(v_dags) > 0 THEN
    RETURN QUERY SELECT * FROM sluice_queue_admitted(v_dags, v_runs, v_tasks, v_indexes);
  END IF;
END $$;

-- sluice_complete_tries(...): the worker's fast path, one statement for a batch of ended tries
--
-- Records how a batch of tries ended and what that freed, in one round trip, so that the row
-- locks it takes on shared downstream rows (a fan-in's one row, counted by every upstream's end
-- with sluice_add_upstream_counts) are held only for the server's own time: called as a
-- statement of its own, the lock is released by the commit that ends the same round trip. Before this, a
-- completion held that lock across four to five round trips to a busy worker, and every other
-- worker's completion queued behind it. Called by completeTriesInStore (src/store/try-completion.ts),
-- alone or, with the worker's claims, inside sluice_claim_and_complete_tries.
--
-- It applies one verdict itself, the common one: a waiting downstream task whose upstreams have
-- all succeeded runs under every rule of RULES_RUN_WHEN_ALL_SUCCEEDED (rendered from
-- src/core/trigger-rules.ts, where it is derived from evaluateTriggerRule: the rules are written
-- once, there), so it is scheduled here and admitted below, in this same statement (a chain's
-- next task, a fan-in's last upstream). Every other situation it leaves to the caller: it returns
-- the still-waiting downstream rows with the counts as they are after this batch (read under the
-- row lock, so the last of several concurrent upstream ends sees all of them), and the caller
-- judges those with evaluateTriggerRule, in a statement of its own (sluice_schedule_decided,
-- guarded by these counts; a skip or an upstream failure, rarer, in a transaction that re-reads
-- them). A crash between the two leaves a decidable row waiting: the scheduler's sweep decides it.
--
-- Input:   parallel arrays, one element per try: dag id, run id, task id, map index, try number, the state
--          it ends in ('success', 'failed', 'skipped', 'up_for_retry', or 'up_for_reschedule': a
--          sensor's "not yet", which pauses the try rather than ending it), the error, when a
--          retry or the next check is due, and the XCom as JSON text (NULL: none; only stored
--          with 'success').
-- Output:  rows by kind:
--          'ended'     (dag_id, run_id, task_id, map_index, try_number): a try recorded; a try missing here
--                      was no longer running (cleared, marked, or failed as lost) and is dropped;
--          'waiting'   (dag_id, run_id, task_id, trigger_rule, upstream_*): a task still
--                      waiting (state 'none') downstream of a try that ended for good;
--          'run_ended' (dag_id, run_id, run_state): a run this batch finished;
--          'runs_queued' (dag_id): a DAG one of whose runs this batch finished and that has runs
--                      queued: the caller starts them, which also admits the DAG's tasks (this
--                      function admitted none of that DAG's);
--          'queued'    (dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight): tries that
--                      the freed slots admitted (sluice_admit_scheduled for the batch's DAGs,
--                      then sluice_admit_pool for the other DAGs waiting in the pools it freed);
--                      the caller sends them after commit;
--          'others_waiting' (pool): a pool where the batch freed slots and a DAG not in the
--                      batch has tasks scheduled, but whose lock another transaction held: the
--                      caller offers them the room in a statement of its own
--                      (sluice_admit_pool). Read without the pool's lock, so only a hint: a
--                      task scheduled just after is admitted by the scheduler's loop. Without
--                      it, every batch asked in a statement of its own (a fan-out's most of all).
-- Guards:  only tries still 'running' with that try number, and no clear waiting for them to
--          stop (finishClearedTry resets those), end (the edges running → success,
--          failed, skipped, up_for_retry, up_for_reschedule of ALLOWED_TRANSITIONS in
--          src/core/states.ts), each written to task_tries but a paused one (its try goes on at
--          its next check); XComs only of tries that ended 'success' here. A value that
--          PostgreSQL refuses (invalid JSON, a NUL) fails the whole statement: nothing is stored.
--          Its own verdict moves only downstream rows still 'none' (and unexpanded, map_index
--          -1: see sluice_schedule_decided; a mapped task expands then, ti_expand_mapped.sql) whose counts (read under their
--          row lock, after this batch's ends) say every upstream succeeded (none → scheduled).
-- Plans:   generic (see SET below).
-- Locking: the tries' own rows first (no other batch shares them); then their downstream rows,
--          in key order, so that two batches sharing several cannot deadlock, as late as
--          possible: the ends are counted downstream by this function after they are written,
--          not by the trigger during their UPDATE (sluice.upstream_counts_by_caller); then
--          admission's advisory locks (the DAG, its pools), DAG by DAG in name order; last, the
--          locks of the pools it offers to other DAGs, only with a try-lock (and their DAGs'
--          with try-locks too, in sluice_admit_pool): it never waits for those.
CREATE OR REPLACE FUNCTION sluice_complete_tries(
  p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_map_indexes integer[], p_try_numbers integer[],
  p_states text[], p_errors text[], p_next_try_ats timestamptz[], p_xcoms text[])
RETURNS TABLE (kind text, dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text,
  queue text, priority_weight integer, trigger_rule text, upstream_total integer,
  upstream_success integer, upstream_failed integer, upstream_upstream_failed integer,
  upstream_skipped integer, run_state text)
LANGUAGE plpgsql
-- Generic plans: the statements here (and in the functions and trigger they call) are the same
-- every time with small arrays, and planning them anew on each call cost more than running them:
-- one try's completion in a 5,000-task fan-out took 2.1 ms of server CPU so, 0.9 ms with these.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_ended_dags text[];
  v_ended_runs text[];
  v_ended_tasks text[];
  v_ended_indexes integer[];
  v_ended_tries integer[];
  v_ended_pools text[];
  v_ended_try_pools text[];
  v_ended_try_slots integer[];
  v_room jsonb;
  v_ds_dags text[];
  v_ds_runs text[];
  v_ds_tasks text[];
  v_ds_states text[];
  v_run record;
  v_dag text;
  v_pool text;
  v_state text;
  v_finished_dags text[] := '{}';
BEGIN
  -- The ends are counted downstream below, not by the trigger: the downstream rows (a fan-in's
  -- one row, shared by every batch of its upstreams) are locked from then until the commit, so
  -- the less that runs after that, the less other batches wait. Local to this transaction.
  PERFORM set_config('sluice.upstream_counts_by_caller', 'on', true);
  WITH input AS (
    SELECT * FROM unnest(p_dag_ids, p_run_ids, p_task_ids, p_map_indexes, p_try_numbers, p_states, p_errors, p_next_try_ats, p_xcoms)
      AS i(dag_id, run_id, task_id, map_index, try_number, state, error, next_try_at, xcom)
  ), ended AS (
    UPDATE task_instances ti SET state = i.state, end_date = clock_timestamp(), error = i.error,
      next_try_at = i.next_try_at, worker_id = NULL, heartbeat_at = NULL,
      duration_ms = (extract(epoch FROM clock_timestamp() - ti.start_date) * 1000)::int,
      -- A pause counts; any end makes the next admission a new try.
      reschedule_count = CASE WHEN i.state = 'up_for_reschedule' THEN ti.reschedule_count + 1 ELSE 0 END
    FROM input i
    WHERE ti.dag_id = i.dag_id AND ti.run_id = i.run_id AND ti.task_id = i.task_id AND ti.map_index = i.map_index
      AND ti.try_number = i.try_number AND ti.state = 'running' AND ti.clear_requested_retries IS NULL
    RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number, ti.start_date, ti.end_date, ti.duration_ms,
      ti.hostname, ti.error, ti.downstream, ti.pool, ti.pool_slots, i.state AS end_state, i.xcom
  ), history AS (
    INSERT INTO task_tries (dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration_ms, hostname, error)
    SELECT e.dag_id, e.run_id, e.task_id, e.map_index, e.try_number, CASE WHEN e.end_state = 'up_for_retry' THEN 'failed' ELSE e.end_state END,
      e.start_date, e.end_date, e.duration_ms, e.hostname, e.error
    FROM ended e
    WHERE e.end_state <> 'up_for_reschedule'
    ON CONFLICT DO NOTHING
  ), xcom AS (
    INSERT INTO xcoms (dag_id, run_id, task_id, map_index, value)
    SELECT e.dag_id, e.run_id, e.task_id, e.map_index, e.xcom::jsonb FROM ended e WHERE e.end_state = 'success' AND e.xcom IS NOT NULL
    ON CONFLICT (dag_id, run_id, task_id, map_index) DO UPDATE SET value = EXCLUDED.value, created_at = now()
  ), ends AS (
    SELECT array_agg(e.dag_id) AS dags, array_agg(e.run_id) AS runs, array_agg(e.task_id) AS tasks,
      array_agg(e.map_index) AS indexes, array_agg(e.try_number) AS tries, array_agg(DISTINCT e.pool) AS pools,
      array_agg(e.pool) AS try_pools, array_agg(e.pool_slots) AS try_slots
    FROM ended e
  ), decided AS (
    -- A retry or a pause decides nothing downstream: the task is not finished.
    SELECT array_agg(e.dag_id ORDER BY e.dag_id, e.run_id, ds) AS dags, array_agg(e.run_id ORDER BY e.dag_id, e.run_id, ds) AS runs,
      array_agg(ds ORDER BY e.dag_id, e.run_id, ds) AS tasks, array_agg(e.end_state ORDER BY e.dag_id, e.run_id, ds) AS states
    FROM ended e CROSS JOIN LATERAL unnest(e.downstream) AS ds
    WHERE e.end_state NOT IN ('up_for_retry', 'up_for_reschedule')
  )
  SELECT ends.dags, ends.runs, ends.tasks, ends.indexes, ends.tries, ends.pools, ends.try_pools, ends.try_slots,
      decided.dags, decided.runs, decided.tasks, decided.states
    INTO v_ended_dags, v_ended_runs, v_ended_tasks, v_ended_indexes, v_ended_tries, v_ended_pools, v_ended_try_pools, v_ended_try_slots,
      v_ds_dags, v_ds_runs, v_ds_tasks, v_ds_states
  FROM ends, decided;
  PERFORM set_config('sluice.upstream_counts_by_caller', 'off', true);

  IF v_ended_dags IS NULL THEN
    RETURN;
  END IF;

  -- The downstream rows, locked in key order (two batches sharing several cannot deadlock), then
  -- counted: the ends moved from 'running', which is not counted, to their states.
  IF v_ds_dags IS NOT NULL THEN
    PERFORM 1 FROM task_instances d
      WHERE (d.dag_id, d.run_id, d.task_id) IN (SELECT * FROM unnest(v_ds_dags, v_ds_runs, v_ds_tasks))
      ORDER BY d.dag_id, d.run_id, d.task_id
      FOR NO KEY UPDATE OF d;
    PERFORM sluice_add_upstream_counts(v_ds_dags, v_ds_runs, v_ds_tasks, v_ds_states, array_fill(1, ARRAY[cardinality(v_ds_dags)]));
    -- The common verdict, applied here: a task whose upstreams have all succeeded runs, under
    -- every rule in RULES_RUN_WHEN_ALL_SUCCEEDED (derived from evaluateTriggerRule, so not a
    -- second copy of the rules). Its admission below then queues it in this same statement.
    -- Asked first: an UPDATE of no row (a fan-in whose other upstreams still run, every batch of
    -- a fan-out) still runs the counts trigger; a read runs nothing.
    IF EXISTS (SELECT 1 FROM task_instances w
               WHERE (w.dag_id, w.run_id, w.task_id) IN (SELECT * FROM unnest(v_ds_dags, v_ds_runs, v_ds_tasks))
                 AND w.state = 'none' AND w.map_index = -1 AND w.upstream_success = w.upstream_total
                 AND w.trigger_rule IN ({{RULES_RUN_WHEN_ALL_SUCCEEDED}})) THEN
      UPDATE task_instances w SET state = 'scheduled'
        WHERE (w.dag_id, w.run_id, w.task_id) IN (SELECT * FROM unnest(v_ds_dags, v_ds_runs, v_ds_tasks))
          AND w.state = 'none' AND w.map_index = -1 AND w.upstream_success = w.upstream_total
          AND w.trigger_rule IN ({{RULES_RUN_WHEN_ALL_SUCCEEDED}});
    END IF;
  END IF;
  RETURN QUERY
    SELECT 'ended', e.dag_id, e.run_id, e.task_id, e.map_index, e.try_number, NULL::text, NULL::text, NULL::integer, NULL::text,
      NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text
    FROM unnest(v_ended_dags, v_ended_runs, v_ended_tasks, v_ended_indexes, v_ended_tries) AS e(dag_id, run_id, task_id, map_index, try_number);

  -- The counts as this batch left them (the rows are locked, so no other end is half-way).
  RETURN QUERY
    SELECT 'waiting', w.dag_id, w.run_id, w.task_id, w.map_index, NULL::integer, NULL::text, NULL::text, NULL::integer, w.trigger_rule,
      w.upstream_total, w.upstream_success, w.upstream_failed, w.upstream_upstream_failed, w.upstream_skipped, NULL::text
    FROM task_instances w
    WHERE (w.dag_id, w.run_id, w.task_id) IN (
      SELECT DISTINCT d.dag_id, d.run_id, d.task_id FROM unnest(v_ds_dags, v_ds_runs, v_ds_tasks) AS d(dag_id, run_id, task_id))
      AND w.state = 'none' AND w.map_index = -1;

  -- A run with a task still waiting downstream of this batch is not over; any other run may be.
  FOR v_run IN
    SELECT DISTINCT e.dag_id, e.run_id
    FROM unnest(v_ended_dags, v_ended_runs) AS e(dag_id, run_id)
    WHERE NOT EXISTS (
      SELECT 1 FROM unnest(v_ds_dags, v_ds_runs, v_ds_tasks) AS d(dag_id, run_id, task_id)
      JOIN task_instances w ON w.dag_id = d.dag_id AND w.run_id = d.run_id AND w.task_id = d.task_id
      WHERE d.dag_id = e.dag_id AND d.run_id = e.run_id AND w.state IN ('none', 'scheduled'))
    ORDER BY 1, 2
  LOOP
    v_state := sluice_finalize_run(v_run.dag_id, v_run.run_id);
    IF v_state IS NOT NULL THEN
      v_finished_dags := v_finished_dags || v_run.dag_id;
      RETURN QUERY SELECT 'run_ended', v_run.dag_id, v_run.run_id, NULL::text, NULL::integer, NULL::integer, NULL::text, NULL::text, NULL::integer,
        NULL::text, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, v_state;
    END IF;
  END LOOP;

  -- The slots the ends freed go to the next tasks in line in their pools, whatever their DAG,
  -- without the pools' locks: ends and tries queued in one commit (see sluice_hand_over_slots).
  RETURN QUERY SELECT 'queued', h.dag_id, h.run_id, h.task_id, h.map_index, h.try_number, h.pool, h.queue, h.priority_weight, NULL::text,
      NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text
    FROM sluice_hand_over_slots(v_ended_dags, v_ended_try_pools, v_ended_try_slots) h;

  -- Room left in the pools where tasks wait that this batch may admit (its DAGs', anyone's in the
  -- pools it freed), read without their locks: only where some is left is admission asked for
  -- (it counts again, under the locks). A full pool's slots have changed hands above; its lock is
  -- not taken. Pools where nothing waits are not counted (a fan-out's holds thousands of tries).
  SELECT jsonb_object_agg(p.pool, sluice_pool_room(p.pool)) INTO v_room
  FROM (SELECT ti.pool FROM task_instances ti WHERE ti.dag_id = ANY (v_ended_dags) AND ti.state = 'scheduled'
        UNION SELECT x.pool FROM unnest(v_ended_pools) AS x(pool)
              WHERE EXISTS (SELECT 1 FROM task_instances ti WHERE ti.pool = x.pool AND ti.state = 'scheduled')) p;

  -- Then room beyond what was freed goes to waiting tries, DAG by DAG in name order (admission's
  -- advisory locks). A DAG whose run ended and that has runs queued is left to the caller, which
  -- starts them and admits then (a run's start is TypeScript's: src/engine/run-lifecycle.ts);
  -- with none queued, which is most often the case, its other runs' tasks are admitted here like
  -- any DAG's, and the caller has nothing more to do.
  FOR v_dag IN SELECT DISTINCT e.dag_id FROM unnest(v_ended_dags) AS e(dag_id) ORDER BY 1 LOOP
    IF v_dag = ANY (v_finished_dags) AND EXISTS (SELECT 1 FROM dag_runs r WHERE r.dag_id = v_dag AND r.state = 'queued') THEN
      RETURN QUERY SELECT 'runs_queued', v_dag, NULL::text, NULL::text, NULL::integer, NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::text,
        NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text;
      CONTINUE;
    END IF;
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM task_instances ti
                              WHERE ti.dag_id = v_dag AND ti.state = 'scheduled' AND COALESCE((v_room->>ti.pool)::integer, 0) > 0);
    RETURN QUERY SELECT 'queued', v_dag, a.run_id, a.task_id, a.map_index, a.try_number, a.pool, a.queue, a.priority_weight, NULL::text,
      NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text
    FROM sluice_admit_scheduled(v_dag) a;
  END LOOP;

  -- Room left in a pool the batch freed goes to the other DAGs' tasks scheduled there too
  -- (sluice_admit_pool), not at the scheduler's next loop. Only with the pool's lock free or held
  -- already (a try-lock): this transaction holds row and DAG locks, and waiting for a pool's lock
  -- while holding a DAG's is how two admissions deadlock. Held by another transaction, the pool is
  -- named instead ('others_waiting'), and the caller admits in a statement of its own, holding
  -- nothing.
  FOR v_pool IN
    SELECT DISTINCT p.pool FROM unnest(v_ended_pools) AS p(pool)
    WHERE COALESCE((v_room->>p.pool)::integer, 0) > 0
      AND EXISTS (SELECT 1 FROM task_instances ti
                  WHERE ti.pool = p.pool AND ti.state = 'scheduled' AND ti.dag_id <> ALL (v_ended_dags))
    ORDER BY 1
  LOOP
    IF pg_try_advisory_xact_lock(hashtext('sluice.pool.' || v_pool)) THEN
      RETURN QUERY SELECT 'queued', a.dag_id, a.run_id, a.task_id, a.map_index, a.try_number, a.pool, a.queue, a.priority_weight, NULL::text,
          NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text
        FROM sluice_admit_pool(v_pool, v_ended_dags) a;
    ELSE
      RETURN QUERY SELECT 'others_waiting', NULL::text, NULL::text, NULL::text, NULL::integer, NULL::integer, v_pool, NULL::text, NULL::integer, NULL::text,
          NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text;
    END IF;
  END LOOP;
END $$;

-- sluice_start_runs(p_dag_ids): queued → running for the runs of these DAGs that have room
--
-- Called by startRuns (src/store/runs.ts), for one DAG (a run ended and its DAG has runs queued)
-- or for many at once (the scheduler starting every DAG's new runs: one round trip for all of
-- them, where each DAG took five). Runs outside backfills in progress share the DAG's
-- max_active_runs, oldest logical date first; a paused DAG's scheduled and asset-triggered runs wait, while
-- runs someone asked for start anyway. Each backfill in progress has its own max_active_runs and
-- order (run_backwards). A run of a finished backfill that is cleared again counts as outside.
--
-- Input:   p_dag_ids, any order, duplicates allowed; a DAG that does not exist starts nothing.
-- Output:  (dag_id, run_id) of every run started.
-- Guards:  only runs still 'queued' move, to 'running' (the edge queued → running of
--          ALLOWED_TRANSITIONS in src/core/states.ts, RUN_TRANSITIONS.startRuns in runs.ts), with
--          a new start_date and no end_date.
-- Locking: an advisory lock per DAG ('sluice.runs.' || dag_id), held to commit, DAG by DAG in
--          name order, so that concurrent starters count each other's runs and never deadlock;
--          then the rows of the runs it starts.
CREATE OR REPLACE FUNCTION sluice_start_runs(p_dag_ids text[])
RETURNS TABLE (dag_id text, run_id text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_dag record;
BEGIN
  FOR v_dag IN
    SELECT d.dag_id, d.is_paused, d.max_active_runs,
      EXISTS (SELECT 1 FROM backfills b WHERE b.dag_id = d.dag_id AND b.completed_at IS NULL AND NOT b.is_cancelled) AS backfilling
    FROM (SELECT DISTINCT x.dag_id FROM unnest(p_dag_ids) AS x(dag_id) ORDER BY 1) ids
    JOIN dags d ON d.dag_id = ids.dag_id
    ORDER BY d.dag_id
  LOOP
    PERFORM pg_advisory_xact_lock(hashtext('sluice.runs.' || v_dag.dag_id));
    RETURN QUERY
      WITH going AS (
        SELECT b.id FROM backfills b WHERE b.dag_id = v_dag.dag_id AND b.completed_at IS NULL AND NOT b.is_cancelled
      ), room AS (
        SELECT v_dag.max_active_runs - count(*) AS n FROM dag_runs r
        WHERE r.dag_id = v_dag.dag_id AND r.state = 'running' AND (r.backfill_id IS NULL OR r.backfill_id NOT IN (SELECT id FROM going))
      ), picked AS (
        SELECT r.run_id FROM dag_runs r
        WHERE r.dag_id = v_dag.dag_id AND r.state = 'queued' AND (r.backfill_id IS NULL OR r.backfill_id NOT IN (SELECT id FROM going))
          AND (NOT v_dag.is_paused OR r.run_type NOT IN ('scheduled', 'asset_triggered'))
        ORDER BY r.logical_date LIMIT GREATEST((SELECT n FROM room), 0)
      )
      UPDATE dag_runs r SET state = 'running', start_date = clock_timestamp(), end_date = NULL
      FROM picked WHERE r.dag_id = v_dag.dag_id AND r.run_id = picked.run_id AND r.state = 'queued'
      RETURNING r.dag_id, r.run_id;
    CONTINUE WHEN NOT v_dag.backfilling;
    RETURN QUERY
      WITH b AS (
        SELECT b.id, b.max_active_runs, b.run_backwards FROM backfills b
        WHERE b.dag_id = v_dag.dag_id AND b.completed_at IS NULL AND NOT b.is_cancelled
      ), picked AS (
        SELECT q.run_id FROM b CROSS JOIN LATERAL (
          SELECT r.run_id FROM dag_runs r
          WHERE r.dag_id = v_dag.dag_id AND r.backfill_id = b.id AND r.state = 'queued'
          ORDER BY CASE WHEN b.run_backwards THEN -extract(epoch FROM r.logical_date) ELSE extract(epoch FROM r.logical_date) END
          LIMIT GREATEST(b.max_active_runs - (
            SELECT count(*) FROM dag_runs o WHERE o.dag_id = v_dag.dag_id AND o.backfill_id = b.id AND o.state = 'running'), 0)
        ) q
      )
      UPDATE dag_runs r SET state = 'running', start_date = clock_timestamp(), end_date = NULL
      FROM picked WHERE r.dag_id = v_dag.dag_id AND r.run_id = picked.run_id AND r.state = 'queued'
      RETURNING r.dag_id, r.run_id;
  END LOOP;
END $$;

-- run_record_callbacks + trigger run_callbacks
--
-- Records a run event that has callbacks (README, "Callbacks"): a run that moves to success
-- (dag_success) or failed (dag_failure), and whose DAG version declares callbacks for that event
-- (its `callbacks` column, from DagSpec.callbacks when the run was made), gets a pending row in
-- `callbacks`, which a worker then runs (workers/callbacks.ts).
--
-- Why a trigger: a run ends along several paths: the run-end rule (sluice_finalize_run, from the
-- fast path or the sweep), dagrunTimeout (timeoutRun), a cancelled backfill's runs that never
-- started (failCancelledBackfillRuns). One trigger covers them all, in the same transaction as
-- the change (see ti_record_callbacks.sql for why that matters).
--
-- Input:   one updated row; its WHEN keeps a run without callbacks from calling the function.
-- Output:  none (an AFTER trigger); at most one row in `callbacks`. For a failure, event_error says
--          why: the run passed its dagrunTimeout (tasks were still unfinished when it failed:
--          timeoutRun skips them after this trigger ran), it was failed before it started (a
--          cancelled backfill), or the first task that failed (by end date) and its error.
-- Guards:  only a real change of state into success or failed, for an event the run declares.
-- Locking: reads the run's task instances without locking them; inserts one new row.
CREATE OR REPLACE FUNCTION run_record_callbacks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_kind text := CASE NEW.state WHEN 'success' THEN 'success' WHEN 'failed' THEN 'failure' END;
  v_error text;
  v_task record;
BEGIN
  IF v_kind IS NULL OR NOT (v_kind = ANY (NEW.callbacks)) THEN
    RETURN NULL;
  END IF;
  IF v_kind = 'failure' THEN
    IF OLD.state = 'queued' THEN
      v_error := 'the run was failed before it started' ||
        CASE WHEN NEW.backfill_id IS NOT NULL THEN format(' (backfill %s was cancelled)', NEW.backfill_id) ELSE '' END;
    ELSIF EXISTS (SELECT 1 FROM task_instances ti WHERE ti.dag_id = NEW.dag_id AND ti.run_id = NEW.run_id
                    AND ti.state IN ({{UNFINISHED_TASK_STATES}})) THEN
      v_error := 'the run passed its dagrunTimeout; its unfinished tasks were skipped';
    ELSE
      SELECT ti.task_id, ti.map_index, ti.state, ti.error INTO v_task
        FROM task_instances ti
       WHERE ti.dag_id = NEW.dag_id AND ti.run_id = NEW.run_id AND ti.state IN ('failed', 'upstream_failed')
       ORDER BY ti.state = 'failed' DESC, ti.end_date NULLS LAST, ti.task_id, ti.map_index
       LIMIT 1;
      IF FOUND THEN
        v_error := format('task "%s"%s %s', v_task.task_id,
          CASE WHEN v_task.map_index >= 0 THEN format('[%s]', v_task.map_index) ELSE '' END,
          CASE WHEN v_task.state = 'failed' THEN 'failed' ELSE 'was upstream_failed' END) ||
          CASE WHEN v_task.error IS NOT NULL THEN ': ' || v_task.error ELSE '' END;
      END IF;
    END IF;
  END IF;
  INSERT INTO callbacks (dag_id, run_id, task_id, map_index, event, try_number, event_state, event_error)
  VALUES (NEW.dag_id, NEW.run_id, NULL, -1, 'dag_' || v_kind, NULL, NEW.state, v_error);
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER run_callbacks AFTER UPDATE OF state ON dag_runs
  FOR EACH ROW
  WHEN (NEW.callbacks IS NOT NULL AND NEW.state IS DISTINCT FROM OLD.state AND NEW.state IN ('success', 'failed'))
  EXECUTE FUNCTION run_record_callbacks();

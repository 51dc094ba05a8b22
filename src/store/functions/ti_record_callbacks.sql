-- ti_record_callbacks + trigger ti_callbacks
--
-- Records a task event that has callbacks (README, "Callbacks"): a task instance that moves to
-- success (task_success), failed (task_failure) or up_for_retry (task_retry), and whose task
-- declares callbacks for that event (its `callbacks` column, written from TaskSpec.callbacks when
-- the run was made), gets a pending row in `callbacks`, which a worker then runs
-- (workers/callbacks.ts).
--
-- Why a trigger: a task instance reaches those states along many paths, in TypeScript and SQL
-- alike: a try that fails or succeeds (sluice_complete_tries, the fast path), a timeout, a try
-- whose worker was killed or lost (the sweep's failLostTries), a hand mark (markTaskInstance), a
-- task that can never fit its pool, a mapped task whose expansion fails (ti_expand_mapped
-- turns none → scheduled into failed). One trigger covers every one of them, and any added later,
-- and writes the row in the same transaction as the state change: committed together or not at
-- all, so no crash between the two can lose a callback or record one for a change that was
-- rolled back.
--
-- Input:   one updated row (OLD, NEW). Row-level, with its condition in WHEN: PostgreSQL tests a
--          trigger's WHEN before queueing the trigger at all, so a row without callbacks (NULL,
--          nearly every row) costs one NULL test and no function call. A statement-level trigger
--          would run its function for every UPDATE of task_instances (a claim, a heartbeat, the
--          fast path's batches), only to scan its transition table for nothing.
-- Output:  none (an AFTER trigger); at most one row in `callbacks`.
-- Guards:  only a real change of state (OLD.state differs) into one of the three states, and only
--          for an event the row declares. Moves nothing back: a cleared instance that ends again
--          records its new event anew, as Airflow calls a callback for each ending.
-- Locking: the INSERT takes no lock another transaction waits on (a new row, a serial id).
CREATE OR REPLACE FUNCTION ti_record_callbacks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_kind text := CASE NEW.state WHEN 'success' THEN 'success' WHEN 'failed' THEN 'failure' WHEN 'up_for_retry' THEN 'retry' END;
BEGIN
  IF v_kind IS NULL OR NOT (v_kind = ANY (NEW.callbacks)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO callbacks (dag_id, run_id, task_id, map_index, event, try_number, event_state, event_error)
  VALUES (NEW.dag_id, NEW.run_id, NEW.task_id, NEW.map_index, 'task_' || v_kind, NEW.try_number, NEW.state, NEW.error);
  RETURN NULL;
END $$;

-- CREATE OR REPLACE TRIGGER (PostgreSQL 14+) swaps the trigger in place: no moment without it.
CREATE OR REPLACE TRIGGER ti_callbacks AFTER UPDATE OF state ON task_instances
  FOR EACH ROW
  WHEN (NEW.callbacks IS NOT NULL AND NEW.state IS DISTINCT FROM OLD.state AND NEW.state IN ('success', 'failed', 'up_for_retry'))
  EXECUTE FUNCTION ti_record_callbacks();

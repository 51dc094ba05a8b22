-- ti_record_asset_events + trigger ti_asset_events
--
-- Records an asset event for each outlet of a task instance that moves to success (README,
-- "Assets"): its `outlets` column, written from TaskSpec.outlets when the run was made (a mapped
-- task's instances copy it, so each instance's success records its own events, as in Airflow).
--
-- Why a trigger: as for callbacks (ti_record_callbacks.sql), a task instance reaches success along
-- several paths (sluice_complete_tries, the fast path, a hand mark); one trigger covers them all
-- and writes the events in the same transaction as the success: a consumer can never see an event
-- whose success was rolled back, nor miss one whose success committed.
--
-- Input:   one updated row (OLD, NEW). Row-level, with its condition in WHEN: a row without
--          outlets (NULL, nearly every row) costs one NULL test and no function call.
-- Output:  none (an AFTER trigger); one row in asset_events per outlet, whose own trigger
--          (asset_events_enqueue.sql) queues it for the DAGs scheduled on it.
-- Guards:  only a real change into success (OLD.state differs). A cleared instance that succeeds
--          again records new events: the asset was written again.
-- Locking: the INSERT takes no lock another transaction waits on (new rows, a serial id).
CREATE OR REPLACE FUNCTION ti_record_asset_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_events (uri, source_dag_id, source_run_id, source_task_id, source_map_index)
  SELECT o.uri, NEW.dag_id, NEW.run_id, NEW.task_id, NEW.map_index
    FROM unnest(NEW.outlets) WITH ORDINALITY AS o(uri, ord)
   ORDER BY o.ord;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER ti_asset_events AFTER UPDATE OF state ON task_instances
  FOR EACH ROW
  WHEN (NEW.outlets IS NOT NULL AND NEW.state = 'success' AND OLD.state IS DISTINCT FROM 'success')
  EXECUTE FUNCTION ti_record_asset_events();

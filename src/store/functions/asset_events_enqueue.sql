-- asset_events_enqueue + trigger asset_events_enqueue
--
-- Queues each new asset event for every active DAG scheduled on its URI (asset_dag_queue), and
-- wakes the schedulers, so that the consumer's run is made at once rather than at the next loop
-- (src/engine/asset-runs.ts consumes the queue).
--
-- Why a trigger: events come from a task's success (ti_record_asset_events.sql) and from outside
-- (store/assets.ts, insertAssetEvent); one trigger queues both, in the event's transaction, so an
-- event is queued exactly when it exists. Paused DAGs are queued too: their events wait, and
-- their run is made when they are unpaused (Airflow's behaviour). A DAG that starts waiting for an
-- asset later does not see the events before.
--
-- Input:   the inserted rows (a transition table): statement-level, so a statement inserting
--          several events (a task with several outlets) looks the consumers up once.
-- Output:  none; rows in asset_dag_queue, and a NOTIFY on the schedulers' channel (WAKE_CHANNEL
--          in src/engine/services.ts) when any was queued. PostgreSQL delivers it at commit, and
--          not at all on rollback.
-- Guards:  only active DAGs whose schedule lists the URI (dags_schedule_assets, a GIN index).
-- Locking: none waited on: new rows, and a read of dags.
CREATE OR REPLACE FUNCTION asset_events_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_queued integer;
BEGIN
  INSERT INTO asset_dag_queue (dag_id, event_id, uri)
  SELECT d.dag_id, e.id, e.uri
    FROM new_events e
    JOIN dags d ON d.schedule_assets @> ARRAY[e.uri] AND d.schedule_assets IS NOT NULL AND d.is_active;
  GET DIAGNOSTICS v_queued = ROW_COUNT;
  IF v_queued > 0 THEN
    PERFORM pg_notify('sluice_scheduler', 'assets');
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER asset_events_enqueue AFTER INSERT ON asset_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT
  EXECUTE FUNCTION asset_events_enqueue();

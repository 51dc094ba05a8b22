-- Assets (README, "Assets"): a task's outlets record an asset event each time it succeeds; a DAG
-- scheduled on assets gets an asset_triggered run once each of its assets has had an event since
-- its previous such run. (016 is another change's number: migrations run in name order.)

ALTER TABLE dag_runs DROP CONSTRAINT dag_runs_run_type_check;
ALTER TABLE dag_runs ADD CONSTRAINT dag_runs_run_type_check
  CHECK (run_type IN ('scheduled', 'manual', 'backfill', 'asset_triggered'));

-- What an asset_triggered run consumed: the events, as the API shows them, copied when the run was
-- made ([{uri, sourceDagId, sourceRunId, sourceTaskId, timestamp, extra}, …]); NULL for any other
-- run. A copy rather than a join: events never change, and every read of a run (the API, a try's
-- ctx.triggeringAssetEvents) then takes it from the run's own row.
ALTER TABLE dag_runs ADD COLUMN consumed_asset_events jsonb;

-- The URIs a task instance's success records events for (TaskSpec.outlets, written when the run is
-- made; a mapped task's instances copy it from the row they expand from). NULL when none, nearly
-- every row: the trigger ti_asset_events tests that column alone (ti_record_asset_events.sql).
ALTER TABLE task_instances ADD COLUMN outlets text[];

-- Beside the spec, as max_active_runs is, so that no query reads the spec's JSON by key:
-- schedule_assets, the URIs of the DAG's asset schedule (DagSpec.assetSchedule; NULL: none);
-- outlet_assets, every URI its tasks update (NULL: none). Written by upsertDag.
ALTER TABLE dags ADD COLUMN schedule_assets text[], ADD COLUMN outlet_assets text[];
-- Which DAGs wait for an asset: looked up for each new event (asset_events_enqueue.sql).
CREATE INDEX dags_schedule_assets ON dags USING gin (schedule_assets) WHERE schedule_assets IS NOT NULL;

-- One row per update of an asset: by a task's success (source_* name the task instance) or from
-- outside Sluice (POST /assets/events, `sluice assets emit`: source_* NULL). No foreign key to the
-- run: an asset's history outlives the runs that made it (as Airflow keeps it).
CREATE TABLE asset_events (
  id bigserial PRIMARY KEY,
  uri text NOT NULL,
  source_dag_id text,
  source_run_id text,
  source_task_id text,
  source_map_index integer,
  extra jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((source_dag_id IS NULL) = (source_run_id IS NULL) AND (source_run_id IS NULL) = (source_task_id IS NULL))
);
-- An asset's events newest first (the API, the UI), its latest one, and the list of URIs that
-- have events (a skip scan over this index, store/assets.ts).
CREATE INDEX asset_events_by_uri ON asset_events (uri, id DESC);

-- The events each asset-scheduled DAG has not consumed yet, one row per (DAG, event): written with
-- the event, in its transaction (asset_events_enqueue.sql), and deleted by the transaction that
-- makes the run consuming them (src/engine/asset-runs.ts). A queue rather than a per-DAG cursor
-- over event ids: ids are handed out when an INSERT runs but become visible when it commits, so
-- an event with a smaller id can appear after a cursor has passed it. A paused DAG's rows wait.
CREATE TABLE asset_dag_queue (
  dag_id text NOT NULL,
  event_id bigint NOT NULL REFERENCES asset_events (id) ON DELETE CASCADE,
  uri text NOT NULL,
  PRIMARY KEY (dag_id, event_id)
);

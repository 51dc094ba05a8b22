-- The metadata store. PostgreSQL holds the truth; Redis only carries "run try N now" messages.

CREATE TABLE dags (
  dag_id text PRIMARY KEY,
  fileloc text NOT NULL,                 -- path relative to the DAGs folder
  is_paused boolean NOT NULL,
  is_active boolean NOT NULL DEFAULT true, -- false once its file no longer defines it
  version_hash text NOT NULL,
  spec jsonb NOT NULL,
  -- The next scheduled interval; next_dagrun_create_after NULL means "recompute",
  -- 'infinity' means "no more scheduled runs".
  next_dagrun_data_interval_start timestamptz,
  next_dagrun_data_interval_end timestamptz,
  next_dagrun_create_after timestamptz,
  last_parsed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dags_due ON dags (next_dagrun_create_after) WHERE is_active AND NOT is_paused;

-- Every structure a DAG has had; a run keeps the version it was created with.
CREATE TABLE dag_versions (
  dag_id text NOT NULL,
  version_hash text NOT NULL,
  spec jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dag_id, version_hash)
);

CREATE TABLE import_errors (
  filename text PRIMARY KEY,
  message text NOT NULL,
  timestamp timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pools (
  pool text PRIMARY KEY,
  slots integer NOT NULL CHECK (slots >= 0),
  description text NOT NULL DEFAULT ''
);
INSERT INTO pools (pool, slots, description) VALUES ('default_pool', 128, 'Default pool');

CREATE TABLE backfills (
  id bigserial PRIMARY KEY,
  dag_id text NOT NULL,
  from_date timestamptz NOT NULL,
  to_date timestamptz NOT NULL,
  reprocess_behavior text NOT NULL CHECK (reprocess_behavior IN ('none', 'failed', 'completed')),
  max_active_runs integer NOT NULL CHECK (max_active_runs >= 1),
  run_backwards boolean NOT NULL DEFAULT false,
  dag_run_conf jsonb NOT NULL DEFAULT '{}',
  is_cancelled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX backfills_dag ON backfills (dag_id, id DESC);

CREATE TABLE dag_runs (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  run_type text NOT NULL CHECK (run_type IN ('scheduled', 'manual', 'backfill')),
  state text NOT NULL CHECK (state IN ('queued', 'running', 'success', 'failed')),
  logical_date timestamptz NOT NULL,
  data_interval_start timestamptz NOT NULL,
  data_interval_end timestamptz NOT NULL,
  conf jsonb NOT NULL DEFAULT '{}',
  version_hash text NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  start_date timestamptz,
  end_date timestamptz,
  backfill_id bigint REFERENCES backfills (id) ON DELETE SET NULL,
  PRIMARY KEY (dag_id, run_id),
  UNIQUE (dag_id, logical_date)
);
CREATE INDEX dag_runs_active ON dag_runs (dag_id, state) WHERE state IN ('queued', 'running');
CREATE INDEX dag_runs_by_date ON dag_runs (dag_id, logical_date DESC);
CREATE INDEX dag_runs_backfill ON dag_runs (backfill_id) WHERE backfill_id IS NOT NULL;

CREATE TABLE task_instances (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  state text NOT NULL DEFAULT 'none' CHECK (state IN
    ('none', 'scheduled', 'queued', 'running', 'success', 'failed', 'up_for_retry', 'upstream_failed', 'skipped')),
  try_number integer NOT NULL DEFAULT 0,  -- the latest try started (0: never tried)
  max_tries integer NOT NULL,
  pool text NOT NULL,
  pool_slots integer NOT NULL,
  queue text NOT NULL,
  priority_weight integer NOT NULL,
  queued_at timestamptz,
  start_date timestamptz,
  end_date timestamptz,
  duration_ms integer,
  hostname text,
  worker_id text,
  heartbeat_at timestamptz,
  next_try_at timestamptz,
  error text,
  trigger_rule text NOT NULL,
  -- The direct downstream tasks, and counts of the direct upstream tasks by finished state.
  -- The trigger below keeps the counts true on every state change, whoever makes it, so deciding
  -- whether a task may run never has to scan its upstream tasks (a 5,000-way fan-in stays O(1)).
  downstream text[] NOT NULL DEFAULT '{}',
  upstream_total integer NOT NULL DEFAULT 0,
  upstream_success integer NOT NULL DEFAULT 0,
  upstream_failed integer NOT NULL DEFAULT 0,
  upstream_upstream_failed integer NOT NULL DEFAULT 0,
  upstream_skipped integer NOT NULL DEFAULT 0,
  PRIMARY KEY (dag_id, run_id, task_id),
  FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
);
CREATE INDEX ti_unfinished ON task_instances (dag_id, run_id, task_id)
  WHERE state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry');
CREATE INDEX ti_occupying_pool ON task_instances (pool) WHERE state IN ('queued', 'running');
CREATE INDEX ti_occupying_dag ON task_instances (dag_id) WHERE state IN ('queued', 'running');
CREATE INDEX ti_scheduled ON task_instances (dag_id, priority_weight DESC) WHERE state = 'scheduled';
CREATE INDEX ti_queued ON task_instances (queued_at) WHERE state = 'queued';
CREATE INDEX ti_running ON task_instances (heartbeat_at) WHERE state = 'running';
CREATE INDEX ti_retry_due ON task_instances (next_try_at) WHERE state = 'up_for_retry';

CREATE FUNCTION ti_propagate_upstream_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_success integer := (NEW.state = 'success')::int - (OLD.state = 'success')::int;
  d_failed integer := (NEW.state = 'failed')::int - (OLD.state = 'failed')::int;
  d_upstream_failed integer := (NEW.state = 'upstream_failed')::int - (OLD.state = 'upstream_failed')::int;
  d_skipped integer := (NEW.state = 'skipped')::int - (OLD.state = 'skipped')::int;
BEGIN
  IF cardinality(NEW.downstream) = 0
     OR (d_success = 0 AND d_failed = 0 AND d_upstream_failed = 0 AND d_skipped = 0) THEN
    RETURN NULL;
  END IF;
  UPDATE task_instances
     SET upstream_success = upstream_success + d_success,
         upstream_failed = upstream_failed + d_failed,
         upstream_upstream_failed = upstream_upstream_failed + d_upstream_failed,
         upstream_skipped = upstream_skipped + d_skipped
   WHERE dag_id = NEW.dag_id AND run_id = NEW.run_id AND task_id = ANY (NEW.downstream);
  RETURN NULL;
END $$;

CREATE TRIGGER ti_upstream_counts AFTER UPDATE OF state ON task_instances
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION ti_propagate_upstream_counts();

-- One row per finished try (the running try lives in task_instances).
CREATE TABLE task_tries (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  try_number integer NOT NULL,
  state text NOT NULL,
  start_date timestamptz,
  end_date timestamptz,
  duration_ms integer,
  hostname text,
  error text,
  PRIMARY KEY (dag_id, run_id, task_id, try_number),
  FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
);

-- A try's log, appended in chunks of newline-separated JSON lines as the try runs.
CREATE TABLE task_logs (
  id bigserial PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  try_number integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  chunk text NOT NULL,
  FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
);
CREATE INDEX task_logs_try ON task_logs (dag_id, run_id, task_id, try_number, id);

CREATE TABLE xcoms (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  value jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dag_id, run_id, task_id),
  FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
);

CREATE TABLE scheduler_heartbeats (
  scheduler_id text PRIMARY KEY,
  hostname text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  latest_heartbeat timestamptz NOT NULL DEFAULT now()
);

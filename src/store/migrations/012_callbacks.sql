-- Callbacks (README, "Callbacks"): a DAG's onSuccess and onFailure, a task's onSuccess, onFailure
-- and onRetry.
--
-- A run and a task instance carry the events their DAG version declares callbacks for (from
-- DagSpec.callbacks and TaskSpec.callbacks, written when the run is created; the instances of a
-- mapped task copy it from the row they expand from). NULL when none: the triggers that record
-- callbacks (cb_record_*.sql) look at that column alone, so a row without callbacks costs them
-- nothing more than a NULL test.
ALTER TABLE dag_runs ADD COLUMN callbacks text[];
ALTER TABLE task_instances ADD COLUMN callbacks text[];

-- One row per event that has callbacks: written by those triggers in the same transaction as the
-- state change, before anything runs, so that a crash anywhere after the commit loses nothing; a
-- worker then runs the event's callback functions (workers/callbacks.ts), at least once, with up
-- to max_tries tries.
--
-- event, try_number, event_state, event_error: what happened (the task instance's or run's state
--   and error at the event; try_number and task_id NULL for a run's event).
-- state: pending (waits for a worker, from next_try_at), running (a worker holds it until
--   lease_expires_at, which it extends while the functions run), success, failed (max_tries
--   tries failed). A lease that expires (a worker that died mid-callback) makes it pending again,
--   or failed if no try is left (src/store/callbacks.ts, releaseExpiredCallbackLeases).
-- tries: tries started; error: the last failed try's error; log: every try's log lines.
-- sent_at: when a message for it was last sent to the callbacks queue (Redis), so that the
--   scheduler re-sends only what a worker should have taken by now.
CREATE TABLE callbacks (
  id bigserial PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text,
  map_index integer NOT NULL DEFAULT -1,
  event text NOT NULL CHECK (event IN ('dag_success', 'dag_failure', 'task_success', 'task_failure', 'task_retry')),
  try_number integer,
  event_state text NOT NULL,
  event_error text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'success', 'failed')),
  tries integer NOT NULL DEFAULT 0,
  max_tries integer NOT NULL DEFAULT 3 CHECK (max_tries >= 1),
  next_try_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at timestamptz,
  claimed_by text,
  lease_expires_at timestamptz,
  end_date timestamptz,
  error text,
  log text NOT NULL DEFAULT '',
  CHECK ((task_id IS NULL) = (event IN ('dag_success', 'dag_failure'))),
  CHECK (state <> 'running' OR lease_expires_at IS NOT NULL),
  FOREIGN KEY (dag_id, run_id) REFERENCES dag_runs (dag_id, run_id) ON DELETE CASCADE
);
-- A run's callbacks, for the API and the run page.
CREATE INDEX callbacks_of_run ON callbacks (dag_id, run_id, id);
-- What the scheduler's step looks for each loop: small, since finished callbacks leave it.
CREATE INDEX callbacks_unfinished ON callbacks (next_try_at) WHERE state IN ('pending', 'running');

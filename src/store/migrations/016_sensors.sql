-- Sensors (README, "Sensors"): a check that says "not yet" in reschedule mode pauses its try in
-- the new state up_for_reschedule, with its worker and pool slots free, until next_try_at; then
-- it is scheduled and admitted again like a retry, but as the same try.
ALTER TABLE task_instances DROP CONSTRAINT task_instances_state_check;
ALTER TABLE task_instances ADD CONSTRAINT task_instances_state_check CHECK (state IN
  ('none', 'scheduled', 'queued', 'running', 'success', 'failed', 'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped'));

-- How many times the current try has been rescheduled. Not 0 marks a try that is paused or
-- resumed: admission does not count it as a new try (the try number stays), and its claim keeps
-- the try's start (its first check), which a sensor's timeout counts from. Back to 0 when the try
-- ends or the task instance is cleared.
ALTER TABLE task_instances ADD COLUMN reschedule_count integer NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0);

-- The scheduler's sweep finds the checks that are due, as it finds due retries (ti_retry_due).
CREATE INDEX ti_reschedule_due ON task_instances (next_try_at) WHERE state = 'up_for_reschedule';

-- The unfinished states gained up_for_reschedule: a partial index whose predicate lists fewer
-- than a query's `state IN (…)` cannot serve it.
DROP INDEX ti_unfinished;
CREATE INDEX ti_unfinished ON task_instances (dag_id, run_id, task_id, map_index)
  WHERE state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule');

-- The claim returns the try's reschedule count (its result type changes: dropped here, made again
-- from src/store/functions by the same migrate).
DROP FUNCTION IF EXISTS sluice_claim_and_complete_tries(text[], text[], text[], integer[], integer[], text, text,
  text[], text[], text[], integer[], integer[], text[], text[], timestamptz[], text[]);
DROP FUNCTION IF EXISTS sluice_claim_tries(text[], text[], text[], integer[], integer[], text, text);

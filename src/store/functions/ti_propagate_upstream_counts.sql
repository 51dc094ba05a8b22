-- ti_propagate_upstream_counts + trigger ti_upstream_counts
--
-- Keeps each task instance's counts of its direct upstream tasks by finished state
-- (upstream_success, upstream_failed, upstream_upstream_failed, upstream_skipped) true on every
-- state change, whoever makes it, so deciding whether a task may run never scans its upstream
-- tasks: a 5,000-way fan-in costs the same as a chain. The states counted are the ones
-- countUpstreamStates in src/core/trigger-rules.ts counts (it judges `sluice dags test` runs).
--
-- Input:   the changed task_instances row (OLD, NEW), after an UPDATE that changed its state.
-- Output:  none (an AFTER trigger); the downstream rows' counters move by the difference.
-- Guards:  nothing to do for a leaf or a change between states that are not counted.
-- Locking: the UPDATE row-locks the downstream rows until commit, so of two upstream tasks ending
--          at once the second always sees the first.
CREATE OR REPLACE FUNCTION ti_propagate_upstream_counts() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- CREATE OR REPLACE TRIGGER (PostgreSQL 14+) swaps the trigger in place: no moment without it.
CREATE OR REPLACE TRIGGER ti_upstream_counts AFTER UPDATE OF state ON task_instances
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION ti_propagate_upstream_counts();

-- Clearing a running try no longer resets it at once: its code must be gone before the task can
-- run again, or the new try and the old one would run side by side (two writers to one table).
-- The clear records what the reset will need (the task's retries, for its new max_tries) and the
-- try's worker, told by its heartbeat, stops the code (its runner killed after
-- SLUICE_TASK_KILL_GRACE if need be) and then resets the task instance (finishClearedTry). A worker
-- that died does not: the scheduler resets its tries once their heartbeats have stopped.
ALTER TABLE task_instances ADD COLUMN clear_requested_retries integer;

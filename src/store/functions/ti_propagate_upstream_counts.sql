-- ti_propagate_upstream_counts + trigger ti_upstream_counts
--
-- Keeps each task instance's counts of its direct upstream tasks by finished state
-- (upstream_success, upstream_failed, upstream_upstream_failed, upstream_skipped) true on every
-- state change, whoever makes it, so deciding whether a task may run never scans its upstream
-- tasks: a 5,000-way fan-in costs the same as a chain. The states counted are the ones
-- countUpstreamStates in src/core/trigger-rules.ts counts (it judges `sluice dags test` runs).
--
-- Statement-level, with transition tables: one UPDATE statement that ends a batch of tries (or
-- schedules, skips, clears many rows) moves every downstream row once, by the sum of its
-- upstream changes, in one aggregated UPDATE. A row-level trigger ran one UPDATE per changed row:
-- a worker's batch of 8 ends of a fan-in's upstreams wrote the fan-in's row 8 times, each a
-- statement of its own, while every other worker waited on that row's lock.
--
-- Input:   the rows an UPDATE of task_instances changed, before (old_rows) and after (new_rows).
--          (A trigger with transition tables cannot name columns, so it fires for every UPDATE
--          statement; one that changes no state, a heartbeat say, finds nothing to do.)
-- Output:  none (an AFTER trigger); each downstream row's counters move by the sum of the
--          differences of its upstream rows that changed state (the counted states are the
--          finished ones: a row counts in its state's counter while it is in one), applied by
--          sluice_add_upstream_counts (a file of its own), which sluice_complete_tries calls for
--          its ends: it sets sluice.upstream_counts_by_caller for its UPDATE of them, so that
--          it takes the downstream rows' locks as late as it can.
-- Guards:  rows whose state did not change, leaves, and changes between states that are not
--          counted move nothing; nor does a call nested in a trigger (its own count update), nor
--          sluice_complete_tries's UPDATE of its ends (it counts them itself). A statement with
--          no row in a counted state before or after returns at once.
-- Locking: the UPDATE row-locks the downstream rows until commit, so of two upstream tasks ending
--          at once the second always sees the first. sluice_complete_tries locks them in key
--          order beforehand (no deadlock between two batches that share several).
CREATE OR REPLACE FUNCTION ti_propagate_upstream_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Its own UPDATE of the counts fires it again (a statement trigger fires even for no row): that
  -- one changes no state, and no other trigger changes a task instance's state, so a nested call
  -- has nothing to count.
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  -- sluice_complete_tries counts its ends itself, later in its transaction (see there).
  IF current_setting('sluice.upstream_counts_by_caller', true) = 'on' THEN
    RETURN NULL;
  END IF;
  -- Most statements move no row into or out of a counted state (a claim, queued → running; an
  -- admission; a heartbeat): two scans of the transition tables answer that for a fraction of
  -- what counting costs to find nothing.
  IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.state IN ({{FINISHED_TASK_STATES}}) AND cardinality(n.downstream) > 0)
     AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.state IN ({{FINISHED_TASK_STATES}}) AND cardinality(o.downstream) > 0) THEN
    RETURN NULL;
  END IF;
  -- What the statement's rows add to their downstream counts (new_rows) less what they took away
  -- (old_rows): a row whose state did not change cancels out. No join of the two (transition
  -- tables have no index, and a plan cached for a small statement would pair the rows of a
  -- 5,000-row one by nested loop).
  PERFORM sluice_add_upstream_counts(array_agg(c.dag_id), array_agg(c.run_id), array_agg(c.task_id), array_agg(c.state), array_agg(c.sign))
    FROM (
      SELECT n.dag_id, n.run_id, ds.task_id, n.state, 1 AS sign
        FROM new_rows n CROSS JOIN LATERAL unnest(n.downstream) AS ds(task_id)
       WHERE n.state IN ({{FINISHED_TASK_STATES}})
      UNION ALL
      SELECT o.dag_id, o.run_id, ds.task_id, o.state, -1
        FROM old_rows o CROSS JOIN LATERAL unnest(o.downstream) AS ds(task_id)
       WHERE o.state IN ({{FINISHED_TASK_STATES}})
    ) c;
  RETURN NULL;
END $$;

-- CREATE OR REPLACE TRIGGER (PostgreSQL 14+) swaps the trigger in place: no moment without it.
CREATE OR REPLACE TRIGGER ti_upstream_counts AFTER UPDATE ON task_instances
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ti_propagate_upstream_counts();

-- sluice_schedule_decided(...): the fast path's decision step, one statement
--
-- Applies the verdict 'run' that the caller (completeTries, src/engine/complete-try.ts) reached on
-- the upstream counts sluice_complete_tries returned, and gives the freed and new work its slots,
-- in one round trip and one transaction. The common verdict (every upstream succeeded) the
-- completion applies itself; this takes the others that run (one_success on the first success,
-- all_done with a failure, ...). The trigger rules are judged in TypeScript
-- (src/core/trigger-rules.ts); the counts the verdict was reached on are the guard, so nothing is
-- re-read: a row whose counts moved since (another upstream ended, or a clear took one back) is
-- left waiting, and whoever moved them decides it on the counts it left (an upstream's end returns
-- them, read under the row lock; a clear resolves the run; the scheduler's sweep decides any row
-- left decidable, e.g. by a crash between the completion and this call).
--
-- Input:   parallel arrays, one element per waiting task judged 'run': dag id, run id, task id,
--          and the counts it was judged on (upstream_success, upstream_failed,
--          upstream_upstream_failed, upstream_skipped).
-- Output:  the tries admitted (dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight), by
--          sluice_admit_scheduled for each DAG of the input, in name order; the caller sends
--          them after this returns (committed).
-- Guards:  only rows still 'none' with exactly those counts become 'scheduled' (the edge
--          none → scheduled of ALLOWED_TRANSITIONS in src/core/states.ts; a mapped task expands
--          then, see ti_expand_mapped.sql), and only a task's one unexpanded row (map_index -1:
--          instances of a cleared mapped task wait for sluice_collapse_mapped); admission's
--          guards are sluice_admit_scheduled's.
-- Locking: the rows it schedules (row locks, to commit); then admission's advisory locks, DAG by
--          DAG in name order. A deadlock with a concurrent completion that locks the same rows
--          as its downstream is possible in principle (that one locks in key order, this in the
--          order of its input, sorted by key by the caller): the caller runs the call again.
CREATE OR REPLACE FUNCTION sluice_schedule_decided(
  p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_success integer[], p_failed integer[],
  p_upstream_failed integer[], p_skipped integer[])
RETURNS TABLE (dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text, queue text, priority_weight integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_dag text;
BEGIN
  UPDATE task_instances ti SET state = 'scheduled'
  FROM unnest(p_dag_ids, p_run_ids, p_task_ids, p_success, p_failed, p_upstream_failed, p_skipped)
    AS d(dag_id, run_id, task_id, success, failed, upstream_failed, skipped)
  WHERE ti.dag_id = d.dag_id AND ti.run_id = d.run_id AND ti.task_id = d.task_id AND ti.map_index = -1 AND ti.state = 'none'
    AND ti.upstream_success = d.success AND ti.upstream_failed = d.failed
    AND ti.upstream_upstream_failed = d.upstream_failed AND ti.upstream_skipped = d.skipped;

  FOR v_dag IN SELECT DISTINCT d.dag_id FROM unnest(p_dag_ids) AS d(dag_id) ORDER BY 1 LOOP
    RETURN QUERY SELECT v_dag, a.run_id, a.task_id, a.map_index, a.try_number, a.pool, a.queue, a.priority_weight FROM sluice_admit_scheduled(v_dag) a;
  END LOOP;
END $$;

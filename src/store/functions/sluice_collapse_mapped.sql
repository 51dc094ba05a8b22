-- sluice_collapse_mapped(dag, run, tasks): a cleared mapped task back to its one waiting row
--
-- Clearing a mapped task clears all of its instances and expands it again from its source's new
-- result, which may have another length. Once every instance is waiting ('none': reset by the
-- clear, or by finishClearedTry once a running one has stopped), this folds them into one row,
-- map_index -1, that waits like any task and expands again (ti_expand_mapped.sql) when it may
-- run. Called by resetTaskInstances and finishClearedTry (src/store/task-instances.ts).
--
-- The instances' history (task_tries), logs and XComs keep their map indexes; the folded row
-- carries the highest try number of any instance, so that no instance's next try reuses a try
-- number one of its earlier tries had (their logs and history are keyed by it).
--
-- Input:   a run and the task ids just cleared (tasks that are not mapped, or not all waiting yet,
--          are left alone).
-- Output:  the task ids folded.
-- Guards:  only tasks whose every instance (map_index ≥ 0) is 'none'.
-- Locking: the task's rows (deleted or updated), its downstream rows (their upstream_total).
CREATE OR REPLACE FUNCTION sluice_collapse_mapped(p_dag_id text, p_run_id text, p_task_ids text[])
RETURNS TABLE (task_id text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_task record;
  v_downstream text[];
BEGIN
  FOR v_task IN
    SELECT ti.task_id, count(*)::integer AS n, max(ti.try_number) AS try_number
      FROM task_instances ti
     WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = ANY (p_task_ids) AND ti.map_index >= 0
     GROUP BY ti.task_id
    HAVING bool_and(ti.state = 'none')
     ORDER BY ti.task_id
  LOOP
    SELECT ti.downstream INTO v_downstream FROM task_instances ti
     WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = v_task.task_id AND ti.map_index = 0;
    DELETE FROM task_instances ti
     WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = v_task.task_id AND ti.map_index > 0;
    UPDATE task_instances ti SET map_index = -1, map_item = NULL,
      max_tries = ti.max_tries + v_task.try_number - ti.try_number, try_number = v_task.try_number
     WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = v_task.task_id AND ti.map_index = 0;
    UPDATE task_instances d SET upstream_total = d.upstream_total - (v_task.n - 1)
     WHERE d.dag_id = p_dag_id AND d.run_id = p_run_id AND d.task_id = ANY (v_downstream);
    RETURN QUERY SELECT v_task.task_id;
  END LOOP;
END $$;

-- sluice_xcom_value(dag, run, task): what a task returned, as its downstream tasks read it
--
-- A plain task's XCom is its one row (map index -1). A mapped task's is the array of its
-- instances' return values in map-index order, with null for an instance that returned nothing
-- (or has not run): readXcom (src/store/xcom.ts) reads it so, and so does a mapped task that
-- expands over a mapped task's results (ti_expand_mapped.sql).
--
-- Input:   the task's dag id, run id and task id.
-- Output:  the value, or NULL (SQL) when a plain task returned nothing or has not run (a stored
--          JSON null is the jsonb 'null', so the two stay apart).
-- Guards:  reads only.
-- Locking: none.
CREATE OR REPLACE FUNCTION sluice_xcom_value(p_dag_id text, p_run_id text, p_task_id text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM task_instances ti
                 WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = p_task_id AND ti.map_index >= 0)
    THEN (SELECT jsonb_agg(COALESCE(x.value, 'null'::jsonb) ORDER BY ti.map_index)
            FROM task_instances ti
            LEFT JOIN xcoms x ON x.dag_id = ti.dag_id AND x.run_id = ti.run_id AND x.task_id = ti.task_id
                             AND x.map_index = ti.map_index
           WHERE ti.dag_id = p_dag_id AND ti.run_id = p_run_id AND ti.task_id = p_task_id AND ti.map_index >= 0)
    ELSE (SELECT x.value FROM xcoms x
           WHERE x.dag_id = p_dag_id AND x.run_id = p_run_id AND x.task_id = p_task_id AND x.map_index = -1)
  END
$$;

-- sluice_dag_room(p_dag_id): how many more task instances a DAG may have queued or running
--
-- The one count of a DAG's room under its max_active_tasks that admission
-- (sluice_admit_scheduled, sluice_admit_pool) uses.
--
-- Input:   p_dag_id.
-- Output:  the DAG's max_active_tasks less its task instances that occupy a slot
--          (OCCUPYING_TASK_STATES); NULL for a DAG with no row.
-- Guards:  none: it only reads.
-- Locking: none. Admission calls it in a statement that starts after it holds the DAG's
--          advisory lock, so the count is the one no other admission can change meanwhile.
-- PL/pgSQL, not SQL: its statement's plan is then cached for the session (see sluice_pool_room).
CREATE OR REPLACE FUNCTION sluice_dag_room(p_dag_id text) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT (d.max_active_tasks - (SELECT count(*) FROM task_instances ti
                                        WHERE ti.dag_id = d.dag_id AND ti.state IN ({{OCCUPYING_TASK_STATES}})))::integer
          FROM dags d WHERE d.dag_id = p_dag_id);
END $$;

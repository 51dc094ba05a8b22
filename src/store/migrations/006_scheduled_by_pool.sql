-- Whether a pool has tasks scheduled (of DAGs other than some), asked by every completion that
-- frees a slot there and by cross-DAG admission (sluice_complete_tries, sluice_admit_pool): by
-- ti_scheduled, which leads with the DAG, the answer was a bitmap of every scheduled task (0.3 to
-- 0.4 ms with 1,500 scheduled, on each try's completion with 500 DAGs sharing default_pool); by
-- pool it is one index probe. It ends in the row's key, as every partial index does (003).
CREATE INDEX ti_scheduled_by_pool ON task_instances (pool, dag_id, run_id, task_id) WHERE state = 'scheduled';

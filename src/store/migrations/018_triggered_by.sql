-- A run another run's task created (sluice/operators' triggerDag) records that task: the run page
-- links back to it, the triggering run's page lists what it triggered, and a retry of the task
-- finds the run its earlier try created (triggered_by_map_index tells apart the instances of a
-- mapped task, each of which triggers a run of its own). NULL for every other run.
ALTER TABLE dag_runs
  ADD COLUMN triggered_by_dag_id text,
  ADD COLUMN triggered_by_run_id text,
  ADD COLUMN triggered_by_task_id text,
  ADD COLUMN triggered_by_map_index integer,
  ADD CONSTRAINT dag_runs_triggered_by_whole CHECK (
    (triggered_by_dag_id IS NULL) = (triggered_by_run_id IS NULL)
    AND (triggered_by_dag_id IS NULL) = (triggered_by_task_id IS NULL)
    AND (triggered_by_dag_id IS NULL) = (triggered_by_map_index IS NULL)
  );

-- Both lookups go from the triggering side: a run's triggered runs, and one task instance's.
-- Partial: the runs nothing triggered (nearly all) take no entry.
CREATE INDEX dag_runs_triggered_by ON dag_runs (triggered_by_dag_id, triggered_by_run_id, triggered_by_task_id, triggered_by_map_index)
  WHERE triggered_by_dag_id IS NOT NULL;

-- Admission takes a pool's scheduled task instances in order: priority weight, the oldest run,
-- DAG, task, and now map index (a mapped task's instances share their task id). The index of 007
-- stops at the task id, so the 10,000 scheduled instances of one mapped task were one group the
-- planner had to read whole and sort on every completion that handed a slot on (an incremental
-- sort cannot stop early inside a group). With the map index in it, admission again reads the
-- first few in order and stops.
DROP INDEX ti_scheduled_by_pool;
CREATE INDEX ti_scheduled_by_pool ON task_instances (pool, priority_weight DESC, run_logical_date, dag_id, task_id, map_index, run_id)
  WHERE state = 'scheduled';

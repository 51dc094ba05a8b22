-- The partial indexes of task_instances lead with, or end in, the row's key (003), so that even a
-- plan made on stale statistics finds a row by its key in one lookup. The key gained the map index
-- (011), and these indexes did not: a claim, an end or a heartbeat of one instance of a mapped task
-- read every instance of that task in the index's state and filtered them by map index (a mapped
-- task's tries took twice as long as a plain fan-out's). Each ends in the full key again.
DROP INDEX ti_occupying_dag;
CREATE INDEX ti_occupying_dag ON task_instances (dag_id, run_id, task_id, map_index) WHERE state IN ('queued', 'running');

DROP INDEX ti_occupying_pool;
CREATE INDEX ti_occupying_pool ON task_instances (pool, dag_id, run_id, task_id, map_index) WHERE state IN ('queued', 'running');

DROP INDEX ti_scheduled;
CREATE INDEX ti_scheduled ON task_instances (dag_id, run_id, task_id, map_index) WHERE state = 'scheduled';

DROP INDEX ti_queued;
CREATE INDEX ti_queued ON task_instances (dag_id, run_id, task_id, map_index) WHERE state = 'queued';

DROP INDEX ti_unfinished;
CREATE INDEX ti_unfinished ON task_instances (dag_id, run_id, task_id, map_index)
  WHERE state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry');

-- What SQL decides with becomes columns, so no query reads the DAG spec's JSON by key: a DAG's
-- maxActiveRuns and maxActiveTasks (the current version's, as before) on dags, and the
-- dagrunTimeout on dag_versions (a run is judged by the version it was created with, as before).
-- The DAG processor writes them with the spec from now on; existing rows are filled from it.
ALTER TABLE dags ADD COLUMN max_active_runs integer, ADD COLUMN max_active_tasks integer;
UPDATE dags SET max_active_runs = (spec->>'maxActiveRuns')::int, max_active_tasks = (spec->>'maxActiveTasks')::int;
ALTER TABLE dags ALTER COLUMN max_active_runs SET NOT NULL, ALTER COLUMN max_active_tasks SET NOT NULL;

ALTER TABLE dag_versions ADD COLUMN dagrun_timeout_ms bigint;
UPDATE dag_versions SET dagrun_timeout_ms = (spec->>'dagrunTimeoutMs')::bigint;

-- The run-timeout check reads only the versions that have a timeout.
CREATE INDEX dag_versions_with_timeout ON dag_versions (dag_id, version_hash) WHERE dagrun_timeout_ms IS NOT NULL;

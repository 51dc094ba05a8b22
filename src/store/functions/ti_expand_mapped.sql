-- ti_expand_mapped + trigger ti_expand: a mapped task becomes one task instance per element
--
-- A task declared with `expand` waits as one row (map_index -1) like any task. The moment its
-- trigger rule lets it run (none → scheduled), whoever decides that (the fast path's
-- sluice_complete_tries or sluice_schedule_decided, the sweep's scheduleWaiting, a run's start),
-- this trigger expands it, in the same statement and transaction as that decision, which
-- sluice_complete_tries takes in the transaction of the source task's outcome: no moment exists
-- where the source has succeeded and the mapped task is neither waiting nor expanded, and no
-- caller can forget to expand. A trigger, like the upstream counts', for that reason.
--
-- The array is the literal of `expand.items`, or what the task `expand.source` returned
-- (sluice_xcom_value: a mapped source gives the array of its instances' results).
--   - An array of n ≥ 1 elements: the row becomes instance 0 and n - 1 rows are added
--     (1 … n - 1), each 'scheduled' with its element in map_item and the same downstream; each
--     downstream row's upstream_total grows by n - 1, so trigger rules count every instance.
--   - An empty array: the task is skipped (Airflow's rule), as one row.
--   - No value, a value that is not an array, or more elements than max_map_length: the task
--     fails, as one row, with an error that says which.
-- The counts trigger (ti_upstream_counts, an AFTER statement trigger) then counts the rows as
-- this trigger left them: a skip or failure reaches the downstream counts like any other.
--
-- Input:   the row moving none → scheduled with expand set and map_index -1 (the trigger's WHEN).
-- Output:  the row as it is to be written (instance 0, or skipped, or failed).
-- Guards:  fires only on that edge; the rows it adds are new keys (map_index 1 … n - 1; a
--          mapped task that ran before was collapsed to its one row by its clear,
--          sluice_collapse_mapped).
-- Locking: the rows it adds; the downstream rows whose totals it moves (row locks to commit).
CREATE OR REPLACE FUNCTION ti_expand_mapped() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_source text := NEW.expand->>'source';
  v_items jsonb;
  v_n integer;
  v_error text;
  v_at timestamptz := clock_timestamp();
BEGIN
  IF NEW.expand ? 'items' THEN
    v_items := NEW.expand->'items';
  ELSE
    v_items := sluice_xcom_value(NEW.dag_id, NEW.run_id, v_source);
  END IF;
  IF v_items IS NULL THEN
    v_error := format('cannot expand: task "%s" returned nothing, and a mapped task needs an array to expand over '
      '(make "%s" return an array)', v_source, v_source);
  ELSIF jsonb_typeof(v_items) <> 'array' THEN
    v_error := format('cannot expand: task "%s" returned %s %s, not an array (make "%s" return an array)',
      v_source, CASE WHEN jsonb_typeof(v_items) IN ('array', 'object') THEN 'an' ELSE 'a' END, jsonb_typeof(v_items), v_source);
  ELSE
    v_n := jsonb_array_length(v_items);
    IF v_n > NEW.max_map_length THEN
      v_error := format('cannot expand over %s items: more than its maxMapLength of %s '
        '(raise the task''s maxMapLength, or split the work into fewer, larger items)', v_n, NEW.max_map_length);
    END IF;
  END IF;
  IF v_error IS NOT NULL OR v_n = 0 THEN
    NEW.state := CASE WHEN v_error IS NULL THEN 'skipped' ELSE 'failed' END;
    NEW.error := v_error;
    NEW.start_date := v_at;
    NEW.end_date := v_at;
    NEW.duration_ms := 0;
    RETURN NEW;
  END IF;
  NEW.map_index := 0;
  NEW.map_item := v_items->0;
  IF v_n > 1 THEN
    -- One statement for all of them (10,000 instances in one INSERT, not a loop of 10,000): the
    -- row as it will be written (every column, whatever columns later migrations add), with each
    -- instance's index and element put over it. Made in a LATERAL call: written
    -- `(jsonb_populate_record(...)).*`, the record was made once per column, and 10,000
    -- instances took 12 s. With NEW as the base record only the two changed fields are read from
    -- JSON (0.2 s, against 0.36 with the whole row turned into JSON and back).
    INSERT INTO task_instances
      SELECT r.* FROM jsonb_array_elements(v_items) WITH ORDINALITY AS e(item, ord)
        CROSS JOIN LATERAL jsonb_populate_record(NEW, jsonb_build_object('map_index', e.ord - 1, 'map_item', e.item)) AS r
       WHERE e.ord > 1;
    UPDATE task_instances d SET upstream_total = d.upstream_total + v_n - 1
     WHERE d.dag_id = NEW.dag_id AND d.run_id = NEW.run_id AND d.task_id = ANY (NEW.downstream);
    -- Thousands of rows the planner does not know of: every statement after this one in this
    -- transaction (admitting them) and in every session until the scheduler's next ANALYZE
    -- would be planned for the table as it was. The statistics commit with the rows.
    IF v_n >= 1000 THEN
      ANALYZE task_instances;
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER ti_expand BEFORE UPDATE OF state ON task_instances
  FOR EACH ROW
  WHEN (OLD.state = 'none' AND NEW.state = 'scheduled' AND NEW.expand IS NOT NULL AND NEW.map_index = -1)
  EXECUTE FUNCTION ti_expand_mapped();

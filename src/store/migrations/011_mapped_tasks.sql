-- Mapped tasks: a task instance's key gains its map index.
--
-- A task declared with `expand` is one row (map_index -1) until it may run; then it becomes one
-- row per element of its array, map_index 0, 1, … (ti_expand_mapped.sql), each with its own
-- state, tries, log and XCom. Every other task keeps the one row with map_index -1, so existing
-- rows, tries, logs and XComs need no rewrite: the column's default is their key.
--
-- expand:          NULL for a plain task; {"source": "<task id>"} (the array that task returned)
--                  or {"items": [...]} (a literal array) for a mapped one.
-- max_map_length:  the most instances a mapped task may have (the task's maxMapLength).
-- map_item:        an instance's element of the array, stored at expansion so that each try
--                  reads its own element, not the whole array (10,000 instances reading a
--                  10,000-element array each is 10^8 elements decoded).
ALTER TABLE task_instances
  ADD COLUMN map_index integer NOT NULL DEFAULT -1,
  ADD COLUMN expand jsonb,
  ADD COLUMN max_map_length integer,
  ADD COLUMN map_item jsonb;
ALTER TABLE task_instances DROP CONSTRAINT task_instances_pkey,
  ADD PRIMARY KEY (dag_id, run_id, task_id, map_index);

ALTER TABLE task_tries ADD COLUMN map_index integer NOT NULL DEFAULT -1;
ALTER TABLE task_tries DROP CONSTRAINT task_tries_pkey,
  ADD PRIMARY KEY (dag_id, run_id, task_id, map_index, try_number);

ALTER TABLE xcoms ADD COLUMN map_index integer NOT NULL DEFAULT -1;
ALTER TABLE xcoms DROP CONSTRAINT xcoms_pkey,
  ADD PRIMARY KEY (dag_id, run_id, task_id, map_index);

ALTER TABLE task_logs ADD COLUMN map_index integer NOT NULL DEFAULT -1;
DROP INDEX task_logs_try_offset;
CREATE UNIQUE INDEX task_logs_try_offset ON task_logs (dag_id, run_id, task_id, map_index, try_number, start_offset);

-- The functions that take or return tries now take and return their map index too: their
-- signatures change, which CREATE OR REPLACE cannot do, so they are dropped here and the function
-- files (src/store/functions), applied right after the migrations, create them anew.
DROP FUNCTION IF EXISTS sluice_claim_and_complete_tries(text[], text[], text[], integer[], text, text,
  text[], text[], text[], integer[], text[], text[], timestamptz[], text[]);
DROP FUNCTION IF EXISTS sluice_complete_tries(text[], text[], text[], integer[], text[], text[], timestamptz[], text[]);
DROP FUNCTION IF EXISTS sluice_claim_tries(text[], text[], text[], integer[], text, text);
DROP FUNCTION IF EXISTS sluice_schedule_decided(text[], text[], text[], integer[], integer[], integer[], integer[]);
DROP FUNCTION IF EXISTS sluice_admit_pool(text, text[]);
DROP FUNCTION IF EXISTS sluice_admit_scheduled(text);
DROP FUNCTION IF EXISTS sluice_hand_over_slots(text[], text[], integer[]);
DROP FUNCTION IF EXISTS sluice_queue_admitted(text[], text[], text[]);

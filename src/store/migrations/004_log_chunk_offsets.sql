-- A try's log is read by byte offset, a bounded page at a time, instead of whole: every chunk
-- knows where it starts and ends in its try's log, and no chunk is larger than 1 MiB (the worker
-- writes at most that per row). Logs written before this were appended in chunks of any size (a
-- try logging 100 MB in one second made one 100 MB row), ordered by id: they get their offsets in
-- that order, and rows over 1 MiB are cut into pieces of at most 1 MiB, after a line where the
-- lines allow it.

ALTER TABLE task_logs ADD COLUMN start_offset bigint, ADD COLUMN end_offset bigint;

-- Nothing to read in them, and two chunks must not start at the same offset.
DELETE FROM task_logs WHERE chunk = '';

-- The pieces of each oversized row: its lines (a line over 131,072 characters, which is at most
-- 512 KiB, is cut into parts of that many characters), grouped by the 512 KiB stretch of the row
-- each starts in; a group is then at most 512 KiB plus one piece of at most 512 KiB.
CREATE TEMP TABLE legacy_log_pieces ON COMMIT DROP AS
WITH big AS (
  SELECT id, chunk FROM task_logs WHERE octet_length(chunk) > 1048576
), lines AS (
  SELECT big.id, l.n, l.line, count(*) OVER (PARTITION BY big.id) AS line_count
    FROM big, string_to_table(big.chunk, E'\n') WITH ORDINALITY AS l(line, n)
), whole_lines AS (
  -- string_to_table drops the newlines; every line but the last had one.
  SELECT id, n, CASE WHEN n < line_count THEN line || E'\n' ELSE line END AS text FROM lines
), parts AS (
  SELECT w.id, w.n, p.k, substr(w.text, (p.k - 1) * 131072 + 1, 131072) AS text
    FROM whole_lines w, generate_series(1, ceil(char_length(w.text) / 131072.0)::int) AS p(k)
   WHERE w.text <> ''
), placed AS (
  SELECT id, n, k, text,
         sum(octet_length(text)) OVER (PARTITION BY id ORDER BY n, k) - octet_length(text) AS starts_at
    FROM parts
)
SELECT id, starts_at / 524288 AS part, string_agg(text, '' ORDER BY n, k) AS chunk
  FROM placed
 GROUP BY id, starts_at / 524288;

-- Offsets for every row as it will be: small rows as they are (part 0), oversized ones by their
-- pieces, all in the order they were written (id, then piece).
CREATE TEMP TABLE legacy_log_offsets ON COMMIT DROP AS
WITH sized AS (
  SELECT t.id, 0::bigint AS part, octet_length(t.chunk)::bigint AS bytes, t.dag_id, t.run_id, t.task_id, t.try_number
    FROM task_logs t WHERE octet_length(t.chunk) <= 1048576
  UNION ALL
  SELECT p.id, p.part, octet_length(p.chunk)::bigint, t.dag_id, t.run_id, t.task_id, t.try_number
    FROM legacy_log_pieces p JOIN task_logs t ON t.id = p.id
), placed AS (
  SELECT id, part, bytes,
         sum(bytes) OVER (PARTITION BY dag_id, run_id, task_id, try_number ORDER BY id, part) AS end_offset
    FROM sized
)
SELECT id, part, end_offset - bytes AS start_offset, end_offset FROM placed;

INSERT INTO task_logs (dag_id, run_id, task_id, try_number, created_at, chunk, start_offset, end_offset)
SELECT t.dag_id, t.run_id, t.task_id, t.try_number, t.created_at, p.chunk, o.start_offset, o.end_offset
  FROM legacy_log_pieces p
  JOIN task_logs t ON t.id = p.id
  JOIN legacy_log_offsets o ON o.id = p.id AND o.part = p.part;

DELETE FROM task_logs WHERE id IN (SELECT id FROM legacy_log_pieces);

UPDATE task_logs t SET start_offset = o.start_offset, end_offset = o.end_offset
  FROM legacy_log_offsets o
 WHERE o.id = t.id AND o.part = 0 AND t.start_offset IS NULL;

ALTER TABLE task_logs
  ALTER COLUMN start_offset SET NOT NULL,
  ALTER COLUMN end_offset SET NOT NULL,
  ADD CONSTRAINT task_logs_offsets CHECK (start_offset >= 0 AND end_offset > start_offset);

-- Reads find a try's chunks by offset; the (dag_id, run_id) prefix still serves retention. Unique:
-- two chunks of a try can never claim the same bytes.
DROP INDEX task_logs_try;
CREATE UNIQUE INDEX task_logs_try_offset ON task_logs (dag_id, run_id, task_id, try_number, start_offset);

-- Queues route tries to the workers that serve them (`sluice worker --queues a,b`).
--
-- The functions that return the tries they queue now return each try's queue too, so that the
-- caller sends it to that queue's BullMQ queue. A function's result type cannot be changed by
-- CREATE OR REPLACE: they are dropped here, and the function files (src/store/functions),
-- applied right after the migrations in every `sluice db migrate`, create them anew.
-- sluice_complete_tries also loses its column `downstream`, always NULL.
DROP FUNCTION IF EXISTS sluice_claim_and_complete_tries(text[], text[], text[], integer[], text, text,
  text[], text[], text[], integer[], text[], text[], timestamptz[], text[]);
DROP FUNCTION IF EXISTS sluice_complete_tries(text[], text[], text[], integer[], text[], text[], timestamptz[], text[]);
DROP FUNCTION IF EXISTS sluice_schedule_decided(text[], text[], text[], integer[], integer[], integer[], integer[]);
DROP FUNCTION IF EXISTS sluice_admit_pool(text, text[]);
DROP FUNCTION IF EXISTS sluice_admit_scheduled(text);
DROP FUNCTION IF EXISTS sluice_hand_over_slots(text[], text[], integer[]);
DROP FUNCTION IF EXISTS sluice_queue_admitted(text[], text[], text[]);

-- One row per running worker: which pools (NULL: every pool) and queues it serves, so that a try
-- waiting on a queue no live worker serves can be shown as such. Written when the worker starts
-- and then every few seconds; removed when it stops cleanly. A worker that died leaves its row,
-- whose age says it is gone.
CREATE TABLE worker_heartbeats (
  worker_id text PRIMARY KEY,
  hostname text NOT NULL,
  pools text[],
  queues text[] NOT NULL,
  concurrency integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  latest_heartbeat timestamptz NOT NULL DEFAULT now()
);

-- sluice_claim_and_complete_tries(...): a worker's claims and ends of tries, in one round trip
--
-- A worker claims the tries it was just sent and records the tries that just ended; done as two
-- statements that is two round trips and two commits per batch, which on a busy machine cost the
-- worker more than the work itself. This is sluice_claim_tries then sluice_complete_tries, in one
-- statement (one transaction): see theirs for what each does.
--
-- Input:   the claims (parallel arrays: dag id, run id, task id, map index, try number), the worker's id
--          and host name; then sluice_complete_tries' arrays for the ended tries.
-- Output:  rows by kind: 'claimed' (the key and sluice_claim_tries' columns), then the kinds of
--          sluice_complete_tries ('ended', 'waiting', 'run_ended', 'queued') with its columns.
--          The columns a kind does not use are NULL.
-- Guards:  theirs: queued → running for the claims, running → the outcome for the ends.
-- Locking: the claimed rows first (rows no other batch shares), then sluice_complete_tries'
--          locks, in its order; all held to the commit that ends the statement.
CREATE OR REPLACE FUNCTION sluice_claim_and_complete_tries(
  p_claim_dag_ids text[], p_claim_run_ids text[], p_claim_task_ids text[], p_claim_map_indexes integer[],
  p_claim_try_numbers integer[], p_worker_id text, p_hostname text,
  p_dag_ids text[], p_run_ids text[], p_task_ids text[], p_map_indexes integer[], p_try_numbers integer[],
  p_states text[], p_errors text[], p_next_try_ats timestamptz[], p_xcoms text[])
RETURNS TABLE (kind text, dag_id text, run_id text, task_id text, map_index integer, try_number integer, pool text,
  queue text, priority_weight integer, trigger_rule text, upstream_total integer, upstream_success integer,
  upstream_failed integer, upstream_upstream_failed integer, upstream_skipped integer, run_state text,
  max_tries integer, map_item jsonb, start_date timestamptz, reschedule_count integer, logical_date timestamptz, data_interval_start timestamptz,
  data_interval_end timestamptz, conf jsonb, version_hash text)
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(p_claim_dag_ids) > 0 THEN
    RETURN QUERY
      SELECT 'claimed'::text, c.dag_id, c.run_id, c.task_id, c.map_index, c.try_number, NULL::text, NULL::text, NULL::integer, NULL::text,
        NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::integer, NULL::text,
        c.max_tries, c.map_item, c.start_date, c.reschedule_count, c.logical_date, c.data_interval_start, c.data_interval_end, c.conf, c.version_hash
      FROM sluice_claim_tries(p_claim_dag_ids, p_claim_run_ids, p_claim_task_ids, p_claim_map_indexes, p_claim_try_numbers,
        p_worker_id, p_hostname) c;
  END IF;
  IF cardinality(p_dag_ids) > 0 THEN
    RETURN QUERY
      SELECT t.kind, t.dag_id, t.run_id, t.task_id, t.map_index, t.try_number, t.pool, t.queue, t.priority_weight, t.trigger_rule,
        t.upstream_total, t.upstream_success, t.upstream_failed, t.upstream_upstream_failed, t.upstream_skipped, t.run_state,
        NULL::integer, NULL::jsonb, NULL::timestamptz, NULL::integer, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::jsonb, NULL::text
      FROM sluice_complete_tries(p_dag_ids, p_run_ids, p_task_ids, p_map_indexes, p_try_numbers, p_states, p_errors, p_next_try_ats, p_xcoms) t;
  END IF;
END $$;

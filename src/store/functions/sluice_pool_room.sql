-- sluice_pool_room(p_pool): a pool's free slots
--
-- The one count of a pool's room that admission (sluice_admit_scheduled, sluice_admit_pool) and
-- the scheduler's look for DAGs to admit (dagsWithRoomToAdmit) use.
--
-- Input:   p_pool.
-- Output:  its slots (the pools row, else DEFAULT_POOL_SLOTS of src/store/pools.ts, Airflow's
--          128, which a new pool's row gets too) less the pool slots of its task
--          instances that occupy one (OCCUPYING_TASK_STATES); negative when a pool was made
--          smaller than what runs in it.
-- Guards:  none: it only reads.
-- Locking: none. Admission calls it in a statement that starts after it holds the pool's
--          advisory lock, so the count is the one no other admission can change meanwhile;
--          without the lock it is only a hint.
-- PL/pgSQL, not SQL: its statement's plan is then cached for the session (a SQL function that
-- cannot be inlined is planned again on every call, and admission calls it after every try).
CREATE OR REPLACE FUNCTION sluice_pool_room(p_pool text) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (COALESCE((SELECT pl.slots FROM pools pl WHERE pl.pool = p_pool), {{DEFAULT_POOL_SLOTS}})
        - COALESCE((SELECT sum(o.pool_slots) FROM task_instances o
                    WHERE o.pool = p_pool AND o.state IN ({{OCCUPYING_TASK_STATES}})), 0))::integer;
END $$;

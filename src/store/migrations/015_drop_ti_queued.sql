-- ti_queued indexed the queued task instances by key; ti_occupying_dag indexes the queued and
-- running ones by the same key, so every lookup ti_queued served (a claim of a queued try, the
-- sweep's queued tries older than a few seconds) reads ti_occupying_dag as well, with the state as
-- a filter. Every move to queued wrote an entry in both. Admitting the 10,000 instances of a
-- mapped task wrote 10,000 entries more than it needed (one of the five per row), and every try of
-- every task one more.
DROP INDEX ti_queued;

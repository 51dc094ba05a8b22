/**
 * Data-aware scheduling on the showcase's warehouse (README, "Assets"): no cron. mongo_to_warehouse's
 * promote lists the warehouse tables in its outlets, and this DAG runs once both `orders` and
 * `orders_items` have been updated since its last run: after each promote, or after several
 * when it was busy or paused (it then consumes all their events at once).
 *
 * It keeps `sales_daily` (one row per day and currency: orders, items sold, revenue) right for
 * every day whose orders the consumed promotes loaded, recomputing those days from the warehouse
 * (an order's placedAt does not change, so no other day's totals can have).
 * An event recorded from outside Sluice (`npx sluice assets emit warehouse://public/orders`, after
 * a manual fix of the warehouse, say) names no run: then every day is recomputed.
 */
import { dag } from 'sluice';
import { etlResourcesOf } from 'sluice/providers';
import { WAREHOUSE_ASSETS } from './warehouse/collections.ts';
import { etlSourceConfigured } from './warehouse/configured.ts';

const d = dag('daily_sales', {
  schedule: [WAREHOUSE_ASSETS.orders!, WAREHOUSE_ASSETS.orders_items!],
  // Without the ETL's connections there is nothing to read, as for mongo_to_warehouse.
  isPausedUponCreation: !etlSourceConfigured,
  maxActiveRuns: 1,
  description: 'Sales per day and currency, refreshed whenever the ETL promotes new orders',
  tags: ['etl', 'warehouse', 'report'],
  defaultArgs: { retries: 2, retryDelay: '30s' },
});

/** The table this DAG owns; made by its first run. */
const SALES_DAILY = `
CREATE TABLE IF NOT EXISTS sales_daily (
  day date NOT NULL,
  currency varchar(3) NOT NULL,
  orders integer NOT NULL,
  items integer NOT NULL,
  revenue numeric(14, 2) NOT NULL,
  refreshed_at timestamptz NOT NULL,
  refreshed_by text NOT NULL,
  PRIMARY KEY (day, currency)
)`;

/**
 * The days (UTC) of the orders those ETL runs loaded (all days when null), each recomputed from
 * every order of that day; a day-currency no order has any more is removed.
 */
const REFRESH = `
WITH days AS (
  SELECT DISTINCT (placed_at AT TIME ZONE 'UTC')::date AS day FROM orders
   WHERE placed_at IS NOT NULL AND ($1::text[] IS NULL OR etl_run_id = ANY ($1))
), totals AS (
  SELECT (o.placed_at AT TIME ZONE 'UTC')::date AS day, COALESCE(o.currency, '?') AS currency, count(*)::int AS orders,
         COALESCE(sum(i.items), 0)::int AS items, COALESCE(sum(o.total), 0) AS revenue
    FROM orders o
    LEFT JOIN LATERAL (SELECT sum(quantity) AS items FROM orders_items WHERE parent_id = o.id) i ON true
   WHERE (o.placed_at AT TIME ZONE 'UTC')::date IN (SELECT day FROM days)
   GROUP BY 1, 2
), gone AS (
  DELETE FROM sales_daily s
   WHERE s.day IN (SELECT day FROM days)
     AND NOT EXISTS (SELECT 1 FROM totals t WHERE t.day = s.day AND t.currency = s.currency)
)
INSERT INTO sales_daily (day, currency, orders, items, revenue, refreshed_at, refreshed_by)
SELECT day, currency, orders, items, revenue, now(), $2 FROM totals
ON CONFLICT (day, currency) DO UPDATE SET orders = EXCLUDED.orders, items = EXCLUDED.items, revenue = EXCLUDED.revenue,
  refreshed_at = EXCLUDED.refreshed_at, refreshed_by = EXCLUDED.refreshed_by
RETURNING to_char(day, 'YYYY-MM-DD') AS day`;

d.task('refresh', async (ctx) => {
  const events = ctx.triggeringAssetEvents;
  // Runs of the ETL whose promote recorded the events; an event from outside names none.
  const runs = events.every((e) => e.sourceRunId) ? [...new Set(events.map((e) => e.sourceRunId!))] : null;
  ctx.log.info({ events: events.length, etlRuns: runs ?? 'every day (an event from outside Sluice)' }, 'refreshing daily sales');
  const warehouse = await (await etlResourcesOf(ctx, ['warehouse'])).warehouse();
  await warehouse.query(SALES_DAILY);
  const { rows } = await warehouse.query<{ day: string }>(REFRESH, [runs, `${ctx.dagId}/${ctx.runId}`]);
  const days = [...new Set(rows.map((r) => r.day))].sort();
  ctx.log.info({ days: days.length, first: days[0], last: days.at(-1) }, 'daily sales refreshed');
  return { etlRuns: runs, days: days.length, first: days[0] ?? null, last: days.at(-1) ?? null };
});

export default d;

/**
 * `sqlSensor({ url, sql })`: waits until a query's first column of its first row is truthy, as
 * Airflow's SqlSensor does, on any PostgreSQL database. One connection per check, closed after
 * it: checks are minutes apart in reschedule mode, and a pool would hold a connection meanwhile.
 */
import { checkOptionsObject } from '../sdk/validate.ts';
import pg from 'pg';
import { redactError } from '../core/redact.ts';
import { showValue } from '../core/show-value.ts';
import { requireText, type SensorCheck } from './checks.ts';

export interface SqlSensorOptions {
  /**
   * A PostgreSQL URL, `postgres://user:password@host:5432/db`; only its host and database are ever
   * shown. Typed to take `process.env.X` as it is: undefined is refused when the sensor is made.
   */
  url: string | undefined;
  /** A query whose first column of its first row says done, e.g. `SELECT count(*) > 0 FROM staging.orders WHERE day = current_date`. */
  sql: string;
}

export interface SqlResult {
  /** The first row, column name → value. */
  row: Record<string, unknown>;
}

const FN = 'sqlSensor()';

/** Done, with the first row, when its first column is truthy (truthy() below); no rows is "not yet"; a failing query fails the try. */
export function sqlSensor(options: SqlSensorOptions): SensorCheck<SqlResult> {
  const given = checkOptionsObject(options, FN, ['url', 'sql']);
  const url = requireText(given.url, `${FN}: url`, 'sqlSensor({ url: process.env.WAREHOUSE_DATABASE_URL, sql: … }), with that variable set where DAGs are parsed and where workers run');
  const sql = requireText(given.sql, `${FN}: sql`, "sql: 'SELECT count(*) > 0 FROM staging.orders'");
  const where = describeDatabase(url);

  return async (ctx) => {
    const client = new pg.Client({ connectionString: url, application_name: 'sluice-sql-sensor' });
    // A client that loses its connection emits 'error'; the query's own rejection reports it.
    client.on('error', () => undefined);
    const abort = () => void client.end().catch(() => undefined);
    ctx.signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
      const result = await client.query<Record<string, unknown>>(sql);
      const row = result.rows[0];
      if (!row) {
        ctx.log.info(`not yet: the query on ${where} returned no rows`);
        return null;
      }
      const first = result.fields[0] ? row[result.fields[0].name] : undefined;
      if (!truthy(first)) {
        ctx.log.info(`not yet: the query on ${where} returned ${showValue(first)}`);
        return null;
      }
      return { row };
    } catch (error) {
      if (ctx.signal.aborted) throw new Error(`${FN}: the query on ${where} was stopped (the try was cancelled or timed out)`, { cause: error });
      const { message } = redactError(error);
      throw new Error(`${FN}: the query on ${where} failed: ${message}`, { cause: error });
    } finally {
      ctx.signal.removeEventListener('abort', abort);
      await client.end().catch(() => undefined);
    }
  };
}

/**
 * Whether a first column means done. JavaScript's truthiness, except that numbers PostgreSQL sends
 * as text (numeric, and bigint such as count(*) where no type parser is set) count by their
 * value: '0' and '0.00' are "not yet", as the number 0 is.
 */
export function truthy(value: unknown): boolean {
  if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(value)) return Number(value) !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  return Boolean(value);
}

/** `host:port/database` of a connection URL: enough to say which database, never its credentials. */
function describeDatabase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${FN}: url does not parse as a URL; write it like postgres://user:password@host:5432/db (percent-encode any of : / ? # @ in the password)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`${FN}: url must be a postgres:// (or postgresql://) URL; got a ${parsed.protocol}// URL`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return `${parsed.host}/${database || '(default database)'}`;
}

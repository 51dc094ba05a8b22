/**
 * Whether this installation gives the showcase ETL a MongoDB source in its environment: as the
 * connection mongo_shop (SLUICE_CONN_MONGO_SHOP) or as MONGO_URL. Its DAGs start paused otherwise,
 * since there would be nothing for them to read; a mongo_shop connection added in the UI or with
 * `sluice connections add` is not seen here (DAG files are parsed without the database): unpause them then.
 */
export const etlSourceConfigured = Boolean(process.env.SLUICE_CONN_MONGO_SHOP || process.env.MONGO_URL);

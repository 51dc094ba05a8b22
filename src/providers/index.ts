/**
 * `sluice/providers`: operators for real systems, for DAG files to call from their tasks.
 * The showcase ETL (MongoDB → S3 → PostgreSQL warehouse) is built from these; see
 * dags/mongo_to_warehouse.ts.
 */
export { extractCollection, type ExtractOptions } from './etl/extract.ts';
export { commitExtract, type CommitOptions, type CommitResult } from './etl/upload.ts';
export { stageLoad, type StageLoadOptions, type StageResult } from './etl/stage-load.ts';
export { promote, type PromoteOptions, type PromoteResult } from './etl/promote.ts';
export { migrateWarehouse, vacuumWarehouse, type MigrateOptions, type VacuumTaskOptions } from './etl/warehouse-tasks.ts';
export { cleanupEtl, type EtlCleanupOptions, type EtlCleanupReport } from './etl/cleanup.ts';
export { etlResources, closeEtlResources, type EtlResources } from './etl/resources.ts';
export { etlResourcesOf, ETL_CONNECTIONS } from './etl/connections.ts';
export { etlSettings, type EtlSettings } from './etl/settings.ts';
export type { CollectionConfig } from './etl/collection.ts';
export type { ExtractResult, Manifest } from './etl/manifest.ts';
export { openMongoSource, windowFilter, type DocumentSource, type DocumentWindow } from './mongo/source.ts';
export { createS3Client, s3SettingsFromEnv, type S3Settings } from './s3/client.ts';
export { openWarehouse, warehouseUrl } from './postgres/connection.ts';
export { applyMigrations } from './postgres/migrations.ts';
export { vacuumTables } from './postgres/vacuum.ts';
export { pruneSluiceMetadata, type MetadataCleanupOptions, type MetadataCleanupReport } from './metadata-cleanup.ts';

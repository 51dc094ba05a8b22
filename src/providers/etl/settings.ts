/**
 * The ETL's settings: environment defaults, overridden per DAG in code, and per run by params.
 *
 * | variable | default | |
 * |---|---|---|
 * | `ETL_S3_PREFIX` | `etl` | key prefix of every part and manifest |
 * | `ETL_ROWS_PER_PART` | `100000` | rows per gzip part: bounds a part's size and lets loads run in parallel |
 * | `ETL_MAX_REJECTS` | `100` | records per collection and run that may fail to load before stage_load fails |
 * | `ETL_SCHEMA_EVOLUTION` | `0` | `1`: a source field with no warehouse column becomes a new column (additive only) |
 * | `ETL_LOAD_CONCURRENCY` | `2` | parts loaded at once by one stage_load |
 * | `ETL_WAREHOUSE_SCHEMA` | `public` | the schema of the warehouse tables |
 * | `ETL_EXTRACT_READERS` | `auto` | `_id` ranges one extract reads at once, each on a thread of its own (extract-plan.ts) |
 */
import { z } from 'zod';

export interface EtlSettings {
  prefix: string;
  rowsPerPart: number;
  maxRejects: number;
  schemaEvolution: boolean;
  loadConcurrency: number;
  warehouseSchema: string;
  /** `_id` ranges an extract reads in parallel; `auto`: by the window's size and the machine's cores (extract-plan.ts). */
  readers: number | 'auto';
}

const count = (name: string, min: number) =>
  z.coerce.number({ error: `${name} must be a whole number` }).int(`${name} must be a whole number`).min(min, `${name} must be at least ${min}`);

const READERS = 'ETL_EXTRACT_READERS must be auto or a whole number from 1 to 16';

const schema = z.object({
  prefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]+$/, 'ETL_S3_PREFIX may use letters, digits and !_.*\'()/-'),
  rowsPerPart: count('ETL_ROWS_PER_PART', 1),
  maxRejects: count('ETL_MAX_REJECTS', 0),
  schemaEvolution: z.boolean(),
  loadConcurrency: count('ETL_LOAD_CONCURRENCY', 1).max(32, 'ETL_LOAD_CONCURRENCY must be at most 32'),
  warehouseSchema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'ETL_WAREHOUSE_SCHEMA must be a plain identifier'),
  readers: z.union([z.literal('auto'), z.coerce.number({ error: READERS }).int(READERS).min(1, READERS).max(16, READERS)], { error: READERS }),
});

export function etlSettings(overrides: Partial<EtlSettings> = {}, env: NodeJS.ProcessEnv = process.env): EtlSettings {
  const read = (name: string, fallback: string) => (env[name]?.trim() ? env[name]!.trim() : fallback);
  const parsed = schema.safeParse({
    prefix: read('ETL_S3_PREFIX', 'etl'),
    rowsPerPart: read('ETL_ROWS_PER_PART', '100000'),
    maxRejects: read('ETL_MAX_REJECTS', '100'),
    schemaEvolution: ['1', 'true', 'yes'].includes(read('ETL_SCHEMA_EVOLUTION', '0').toLowerCase()),
    loadConcurrency: read('ETL_LOAD_CONCURRENCY', '2'),
    warehouseSchema: read('ETL_WAREHOUSE_SCHEMA', 'public'),
    readers: read('ETL_EXTRACT_READERS', 'auto').toLowerCase(),
    ...overrides,
  });
  if (!parsed.success) throw new Error(`ETL settings: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

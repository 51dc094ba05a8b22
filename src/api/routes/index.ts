/**
 * Every route the webserver serves, in one table: app.ts registers exactly these, and the
 * OpenAPI document describes exactly these (a test compares both with what Express has).
 */
import type { Route } from '../route.ts';
import { assetRoutes } from './assets.ts';
import { auditLogRoutes } from './audit-log.ts';
import { backfillRoutes } from './backfills.ts';
import { callbackRoutes } from './callbacks.ts';
import { connectionRoutes } from './connections.ts';
import { dagRunRoutes } from './dag-runs.ts';
import { dagVersionRoutes } from './dag-versions.ts';
import { dagRoutes } from './dags.ts';
import { gridRoutes } from './grid.ts';
import { healthRoutes } from './health.ts';
import { metaRoutes } from './meta.ts';
import { poolRoutes } from './pools.ts';
import { taskDurationRoutes } from './task-durations.ts';
import { taskInstanceRoutes } from './task-instances.ts';
import { userRoutes } from './users.ts';
import { variableRoutes } from './variables.ts';
import { workerRoutes } from './workers.ts';

export const ROUTES: readonly Route[] = [
  ...healthRoutes,
  ...dagRoutes,
  ...dagVersionRoutes,
  ...dagRunRoutes,
  ...callbackRoutes,
  ...gridRoutes,
  ...taskInstanceRoutes,
  ...taskDurationRoutes,
  ...backfillRoutes,
  ...assetRoutes,
  ...poolRoutes,
  ...connectionRoutes,
  ...variableRoutes,
  ...workerRoutes,
  ...userRoutes,
  ...auditLogRoutes,
  ...metaRoutes,
];

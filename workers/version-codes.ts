/**
 * DAG versions' code, from the metadata database (no DAGs folder needed): a try runs its run's
 * version. Each version's code is fetched once per worker; the tries of a version that start
 * together share one fetch.
 */
import type { Db } from '../src/store/db.ts';
import { getVersionCode, type VersionCode } from '../src/store/dag-versions.ts';
import { cachedPromise } from '../src/core/promise-cache.ts';
import { shortVersion, TaskCodeError } from './task-functions.ts';

export class VersionCodes {
  private readonly codes = new Map<string, Promise<VersionCode>>();

  constructor(private readonly db: Db) {}

  get(dagId: string, version: string): Promise<VersionCode> {
    return cachedPromise(this.codes, `${dagId}\u0000${version}`, async () => {
      const code = await getVersionCode(this.db, dagId, version);
      if (!code) {
        throw new TaskCodeError(
          `version ${shortVersion(version)} of DAG ${dagId} has no stored code (it was stored by an older Sluice), and neither has the DAG's ` +
            'current version: start a scheduler of this Sluice version, which stores the code of each DAG file it parses, then clear the task',
        );
      }
      return code;
    });
  }
}

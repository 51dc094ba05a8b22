/**
 * Assets (README, "Assets"), as Airflow's Assets (formerly Datasets): `asset(uri)` names a piece of
 * data; a task's `outlets` say it updates it (an asset event per outlet each time the task
 * succeeds), and a DAG's `schedule: [a, b]` runs the DAG once every one of them has been updated
 * since its previous asset-triggered run. This module makes and reads those values; recording
 * events and creating the runs happens in the metadata store and the scheduler.
 */
import { checkAssetUri } from '../core/assets.ts';
import { showValue } from '../core/show-value.ts';

// A registered symbol, as for DAGs and params: a DAG file may build its assets with another copy of this module.
const ASSET_BRAND = Symbol.for('sluice.asset');

/** A piece of data, named by its URI; two assets with the same URI are the same asset. */
export interface Asset {
  readonly uri: string;
}

/** `const orders = asset('warehouse://public/orders')`: any URI, without whitespace, up to 1000 bytes. */
export function asset(uri: string): Asset {
  const checked = checkAssetUri(uri, 'asset(): the URI');
  const made: Asset = { uri: checked };
  Object.defineProperty(made, ASSET_BRAND, { value: true });
  return Object.freeze(made);
}

export function isAsset(value: unknown): value is Asset {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ASSET_BRAND] === true;
}

/**
 * The URIs of a list of assets (an option's value): each an asset() value, each URI once (a
 * repeat is dropped, keeping the first's place), in the order written. `what` names the option
 * for the message, which says how to write it.
 */
export function assetUris(value: unknown, where: string, example: string): string[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array of assets, like ${example}; got ${showValue(value)}`);
  const uris: string[] = [];
  value.forEach((item: unknown, i) => {
    if (!isAsset(item)) {
      const hint = typeof item === 'string' ? `; wrap the URI: asset(${JSON.stringify(item)})` : `, made with asset('<uri>') from 'sluice'`;
      throw new Error(`${where}[${i}] must be an asset${hint}; got ${showValue(item)}`);
    }
    if (!uris.includes(item.uri)) uris.push(item.uri);
  });
  return uris;
}

/** A task's own option that names the assets it updates; not allowed in defaultArgs (see checkTaskOptions). */
export const OUTLET_OPTION_KEYS = ['outlets'] as const;

export interface OutletOptions {
  /** The assets the task updates: each time it succeeds (each instance, for a mapped task), an event per asset. */
  outlets?: readonly Asset[];
}

/** The outlet URIs of a task's options (already checked to be an object); [] when none. */
export function resolveOutlets(taskId: string, options: unknown): string[] {
  const { outlets } = (options ?? {}) as OutletOptions;
  if (outlets === undefined) return [];
  return assetUris(outlets, `option "outlets" of task "${taskId}"`, "[asset('warehouse://public/orders')]");
}

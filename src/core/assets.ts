/**
 * Asset URIs (README, "Assets"): one check shared by the authoring API (asset()), the REST API
 * (POST /assets/events) and the CLI, so that a URI refused in one place is refused in all of them
 * with the same words.
 */
import { showValue } from './show-value.ts';

/**
 * The longest URI, in UTF-8 bytes. A URI is a key of the metadata store's indexes, whose entries
 * PostgreSQL caps at about 2,700 bytes; 1,000 leaves room and is far beyond any real table or path.
 */
export const MAX_ASSET_URI_BYTES = 1000;

/**
 * The URI itself if it can name an asset, else an Error whose message starts with `where` and
 * says how to fix it. Any scheme is allowed ('s3://bucket/key', 'warehouse://public/orders',
 * 'orders'): an asset is a name that producers and consumers agree on; Sluice never opens it.
 */
export function checkAssetUri(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${where} must be a non-empty string naming the asset, like 'warehouse://public/orders'; got ${showValue(value)}`);
  }
  // Whitespace and control characters: invisible in a list, and a URI never has them unescaped.
  const bad = /[\s\p{Cc}]/u.exec(value);
  if (bad) {
    throw new Error(
      `${where} ${showValue(value)} has ${bad[0] === ' ' ? 'a space' : 'whitespace or a control character'} at character ${bad.index + 1}; ` +
        `a URI has none: percent-encode it (%20) or use '_' or '-'`,
    );
  }
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > MAX_ASSET_URI_BYTES) {
    throw new Error(`${where} is ${bytes} bytes long, more than the ${MAX_ASSET_URI_BYTES} an asset URI may have; use a shorter name for it`);
  }
  return value;
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestVersionOf, parseManifest, type PartInfo } from '../../../../src/providers/etl/manifest.ts';

const ndjsonPart: PartInfo = { key: 'p1', rows: 1, bytes: 10, sha256: 'x' };
const copyPart: PartInfo = { ...ndjsonPart, columns: [{ name: 'source_id', kinds: ['string'], nulls: false, width: 3, dates: false, repair: false }] };
const manifest = (version: number, parts: PartInfo[]) =>
  JSON.stringify({ version, table: 't', collection: 't', tables: { t: { columns: { source_id: ['string'] }, parts, rows: 1 } } });

describe('manifests', () => {
  test('COPY text parts commit as version 2; an extract of NDJSON parts (an older release) stays version 1', () => {
    assert.equal(manifestVersionOf([copyPart, copyPart]), 2);
    assert.equal(manifestVersionOf([ndjsonPart]), 1);
    assert.equal(manifestVersionOf([copyPart, ndjsonPart]), 1);
  });

  test('both versions read back; a version that disagrees with its parts, or an unknown one, is a clear error', () => {
    assert.equal(parseManifest(manifest(1, [ndjsonPart]), 'k').version, 1);
    assert.deepEqual(parseManifest(manifest(2, [copyPart]), 'k').tables.t!.parts[0]!.columns, copyPart.columns);
    assert.throws(() => parseManifest(manifest(2, [ndjsonPart]), 'k'), /manifest k: part p1 has no column list in a version 2 manifest/);
    assert.throws(() => parseManifest(manifest(1, [copyPart]), 'k'), /part p1 has a column list in a version 1 manifest/);
    assert.throws(() => parseManifest(manifest(3, [copyPart]), 'k'), /k is not a Sluice ETL manifest of version 1 or 2/);
  });
});

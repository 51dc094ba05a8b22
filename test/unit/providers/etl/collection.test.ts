import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCollection } from '../../../../src/providers/etl/collection.ts';

describe('collection', () => {
  test('a collection name and modified field are checked; the field names its column', () => {
    assert.throws(() => resolveCollection({ collection: 'a b', modifiedField: 'x' }), /letters, digits/);
    assert.equal(resolveCollection({ collection: 'orderLines', modifiedField: 'meta.updatedAt' }).modifiedColumn, 'meta_updated_at');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedColumns } from '../../../../src/providers/etl/flatten.ts';
import { compareSchema, evolutionStatements, typeForKinds } from '../../../../src/providers/etl/schema-drift.ts';
import { column } from '../../../support/warehouse-column.ts';

describe('schema drift', () => {
  test('missing fields get the narrowest type; types only widen', () => {
    assert.equal(typeForKinds(['integer', 'null']), 'bigint');
    assert.equal(typeForKinds(['integer', 'number']), 'double precision');
    assert.equal(typeForKinds(['integer', 'string']), 'text');
    assert.equal(typeForKinds(['date']), 'timestamptz');
    const drift = compareSchema(
      { source_id: ['string'], coupon: ['string'], zip: ['integer', 'string'], placed_at: ['string'], qty: ['integer', 'number'] },
      [column('source_id', 'text'), column('zip', 'integer'), column('placed_at', 'timestamp with time zone'), column('qty', 'integer')],
    );
    assert.deepEqual(drift, {
      missing: [{ column: 'coupon', type: 'text' }],
      widen: [{ column: 'zip', from: 'integer', to: 'text' }, { column: 'qty', from: 'integer', to: 'numeric' }],
    });
    assert.deepEqual(evolutionStatements('"public"."orders"', drift), [
      'ALTER TABLE "public"."orders" ADD COLUMN IF NOT EXISTS "coupon" text',
      'ALTER TABLE "public"."orders" ALTER COLUMN "zip" TYPE text USING "zip"::text',
      'ALTER TABLE "public"."orders" ALTER COLUMN "qty" TYPE numeric USING "qty"::numeric',
    ]);
  });

  test('strings longer than a varchar widen it (at least twice, to a power of two); text and short strings do not', () => {
    const columns = [column('name', 'character varying', { maxLength: 200 }), column('city', 'character varying', { maxLength: 100 }), column('notes', 'text')];
    const kinds: ObservedColumns = { name: ['string'], city: ['string'], notes: ['string'] };
    assert.deepEqual(compareSchema(kinds, columns, { name: 201, city: 100, notes: 5000 }).widen, [
      { column: 'name', from: 'character varying(200)', to: 'varchar(400)' },
    ]);
    assert.deepEqual(compareSchema(kinds, columns, { name: 3000 }).widen, [{ column: 'name', from: 'character varying(200)', to: 'varchar(4096)' }]);
    assert.deepEqual(compareSchema(kinds, columns, { name: 20_000_000 }).widen, [{ column: 'name', from: 'character varying(200)', to: 'text' }]);
    assert.deepEqual(compareSchema(kinds, columns).widen, [], 'no widths (an older manifest): nothing to widen');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { columnName, childTableName, snakeCase } from '../../../../src/providers/etl/column-names.ts';

describe('column names', () => {
  test('camelCase and dotted paths become snake_case columns', () => {
    assert.equal(snakeCase('weightKg'), 'weight_kg');
    assert.equal(snakeCase('HTTPStatus'), 'http_status');
    assert.equal(columnName(['address', 'zipCode']), 'address_zip_code');
    assert.equal(columnName(['2fa']), 'f_2fa');
    assert.equal(childTableName('orders', ['items']), 'orders_items');
    const long = columnName(['a'.repeat(80)]);
    assert.ok(long.length <= 63);
    assert.notEqual(long, columnName(['a'.repeat(81)]), 'shortened names stay distinct');
  });
});

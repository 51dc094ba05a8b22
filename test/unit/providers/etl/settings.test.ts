import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etlSettings } from '../../../../src/providers/etl/settings.ts';

describe('settings', () => {
  test('settings come from the environment and are checked', () => {
    assert.equal(etlSettings({}, {}).rowsPerPart, 100_000);
    assert.equal(etlSettings({}, { ETL_ROWS_PER_PART: '500', ETL_SCHEMA_EVOLUTION: '1' }).schemaEvolution, true);
    assert.throws(() => etlSettings({}, { ETL_ROWS_PER_PART: 'lots' }), /ETL_ROWS_PER_PART must be a whole number/);
  });
});

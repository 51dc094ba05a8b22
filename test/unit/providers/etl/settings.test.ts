import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etlSettings } from '../../../../src/providers/etl/settings.ts';

describe('settings', () => {
  test('settings come from the environment and are checked', () => {
    assert.equal(etlSettings({}, {}).rowsPerPart, 100_000);
    assert.equal(etlSettings({}, { ETL_ROWS_PER_PART: '500', ETL_SCHEMA_EVOLUTION: '1' }).schemaEvolution, true);
    assert.throws(() => etlSettings({}, { ETL_ROWS_PER_PART: 'lots' }), /ETL_ROWS_PER_PART must be a whole number/);
    assert.equal(etlSettings({}, {}).readers, 'auto');
    assert.equal(etlSettings({}, { ETL_EXTRACT_READERS: '3' }).readers, 3);
    assert.equal(etlSettings({ readers: 2 }, { ETL_EXTRACT_READERS: 'AUTO' }).readers, 2);
    assert.throws(() => etlSettings({}, { ETL_EXTRACT_READERS: 'many' }), /ETL_EXTRACT_READERS must be auto or a whole number from 1 to 16/);
    assert.throws(() => etlSettings({}, { ETL_EXTRACT_READERS: '0' }), /ETL_EXTRACT_READERS must be auto or a whole number from 1 to 16/);
  });
});

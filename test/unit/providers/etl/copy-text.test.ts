import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyField } from '../../../../src/providers/etl/copy-text.ts';

describe('COPY text', () => {
  test('escapes what would end a field or line; NULL is \\N', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  });
});

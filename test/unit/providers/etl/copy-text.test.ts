import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyField, copyFields, parseCopyField } from '../../../../src/providers/etl/copy-text.ts';

describe('COPY text', () => {
  test('escapes what would end a field or line; NULL is \\N', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  });

  test('a line back to its fields and values: every escape PostgreSQL reads, \\N as NULL', () => {
    const values = ['a\tb\nc\\d\re', '', 'plain', '\\N', 'Zoë 🦊'];
    const line = [...values.map(copyField), copyField(null)].join('\t');
    assert.deepEqual(copyFields(line).map(parseCopyField), [...values, null]);
    assert.equal(parseCopyField('\\b\\f\\v\\101\\x42\\q\\\\'), '\b\f\vABq\\');
    assert.equal(parseCopyField('\\0'), '\0', 'an octal NUL is read (the load then repairs it)');
    assert.deepEqual(copyFields('one'), ['one']);
    assert.deepEqual(copyFields('\t'), ['', ''], 'a tab always separates: an escaped one is backslash and t');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonErrorOffset, parseJsonObject } from '../../../../ui/src/lib/json-input.ts';

describe('parseJsonObject', () => {
  it('reads empty or blank text as no value', () => {
    assert.deepEqual(parseJsonObject(''), { ok: true, value: undefined });
    assert.deepEqual(parseJsonObject('  \n\t '), { ok: true, value: undefined });
  });

  it('reads a JSON object, an empty one included', () => {
    assert.deepEqual(parseJsonObject('{"a": 1, "b": {"c": [1, "x", null]}}'), { ok: true, value: { a: 1, b: { c: [1, 'x', null] } } });
    assert.deepEqual(parseJsonObject(' {}\n'), { ok: true, value: {} });
  });

  it('rejects JSON that is not an object, saying what it is', () => {
    const expect = (got: string) => ({ ok: false, message: `must be a JSON object like {"key": "value"}, not ${got}` });
    assert.deepEqual(parseJsonObject('[1, 2]'), expect('an array'));
    assert.deepEqual(parseJsonObject('[]'), expect('an array'));
    assert.deepEqual(parseJsonObject('null'), expect('null'));
    assert.deepEqual(parseJsonObject('42'), expect('a number'));
    assert.deepEqual(parseJsonObject('"text"'), expect('a string'));
    assert.deepEqual(parseJsonObject('true'), expect('a boolean'));
  });

  /** The message of a failed parse, or a test failure. */
  function failure(text: string): string {
    const result = parseJsonObject(text);
    assert.equal(result.ok, false, `${JSON.stringify(text)} should not parse`);
    return result.ok ? '' : result.message;
  }

  it('points at a missing comma on the line where the next property starts', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    assert.match(failure(text), /^is not valid JSON at line 3, column 3: /);
  });

  it('points at a raw line break inside a string', () => {
    const text = '{\n "a": "x\ny"\n}';
    assert.match(failure(text), /^is not valid JSON at line 2, column 9: /);
  });

  it('points at what follows a closed object', () => {
    assert.match(failure('{\n "a": 1 }\n}'), /^is not valid JSON at line 3, column 1: /);
    assert.match(failure('{"a": 1} x'), /^is not valid JSON at line 1, column 10: /);
  });

  it('counts columns from 1 on the first line', () => {
    assert.match(failure('{"a": 1,}'), /^is not valid JSON at line 1, column 9: /);
    assert.match(failure("{'a': 1}"), /^is not valid JSON at line 1, column 2: /);
  });

  it('says where the text ended early', () => {
    assert.match(failure('{\n  "a": 1'), /^is not valid JSON at line 2, column 9: /);
  });

  it('points at an unexpected word, a doubled comma and a single quote', () => {
    assert.match(failure('{\n  "a": undefined\n}'), /^is not valid JSON at line 2, column 8: /);
    assert.match(failure('{\n  "a": [1, 2,, 3]\n}'), /^is not valid JSON at line 2, column 14: /);
    assert.match(failure("{\n  \"a\": 1,\n  'b': 2\n}"), /^is not valid JSON at line 3, column 3: /);
    // `tru` is read as far as it goes: the line break after it is where it stops being `true`.
    assert.match(failure('{\n  "a": 1,\n  "b": tru\n}'), /^is not valid JSON at line 3, column 11: /);
  });

  it('counts columns on the line even with Windows line ends', () => {
    assert.match(failure('{\r\n  "a": 1,\r\n  "b": x\r\n}'), /^is not valid JSON at line 3, column 8: /);
  });

  it('says what is probably wrong', () => {
    assert.match(failure('{\n  "a": 1,\n}'), /at line 3, column 1: a trailing comma is not allowed$/);
    assert.match(failure('{"a": [1, 2, ]}'), /at line 1, column 14: a trailing comma is not allowed$/);
    assert.match(failure('{\n  "a": 1\n  "b": 2\n}'), /: unexpected "\\"": is a comma missing before it\?$/);
    assert.match(failure('{"a": true "b": 2}'), /at line 1, column 12: unexpected "\\"": is a comma missing before it\?$/);
    assert.match(failure("{'a': 1}"), /: JSON strings and keys take double quotes, not single quotes$/);
    assert.match(failure('{\n  "a": [1, 2'), /at line 2, column 13: it ends too early/);
    assert.match(failure('{"a": "unclosed}'), /at line 1, column 17: it ends too early/);
    assert.match(failure('{"a": x}'), /: unexpected "x"$/);
  });

  it('reports invalid JSON nested deeper than the scanner can follow instead of throwing', () => {
    assert.deepEqual(parseJsonObject(`{"a":${'['.repeat(20_000)}`), {
      ok: false,
      message: 'is not valid JSON (and nests too deeply to point at the mistake)',
    });
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const texts = [
      '{}', '[]', '1', '-0', '0.5e-3', '1E+2', '"\\u00e9\\n\\/"', 'true', 'null', ' [true, false, null] ', '{"a":{"b":[1,{"c":""}]}}',
      '', ' ', '-', '01', '-01', '1.', '.5', '1e', '+1', '0x10', 'NaN', 'Infinity', 'tru', 'nul', 'null x', '"\\u12"', '"\\x"',
      '"a\tb"', '"abc', '[1,]', '[1 2]', '{,}', '{"a"}', '{"a" 1}', '{1: 2}', '{"a":1}}', '\u00a0{}', '\ufeff{}', "{'a': 1}",
    ];
    for (const text of texts) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(jsonErrorOffset(text) === -1, valid, JSON.stringify(text));
    }
  });

  it('is the offset of the first character that cannot be JSON, or the length when the text ends early', () => {
    assert.equal(jsonErrorOffset('{"a":1,}'), 7);
    assert.equal(jsonErrorOffset('[1 2]'), 3);
    assert.equal(jsonErrorOffset('01'), 1);
    assert.equal(jsonErrorOffset('"\\u12"'), 5);
    assert.equal(jsonErrorOffset('"a\tb"'), 2);
    assert.equal(jsonErrorOffset('{"a":1} x'), 8);
    assert.equal(jsonErrorOffset('"abc'), 4);
    assert.equal(jsonErrorOffset('[1, [2'), 6);
    assert.equal(jsonErrorOffset(''), 0);
  });
});

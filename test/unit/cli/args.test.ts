import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateFlag, intFlag, jsonObjectFlag, parse, UsageError } from '../../../src/cli/args.ts';

describe('CLI flag parsing', () => {
  test('unknown flags, missing and extra arguments are usage errors naming them', () => {
    assert.throws(() => parse(['--nope'], {}, [], 'dags list'), (e: Error) => e instanceof UsageError && /--nope/.test(e.message));
    assert.throws(() => parse([], {}, ['dag'], 'dags show'), /missing <dag>/);
    assert.throws(() => parse(['a', 'b'], {}, ['dag'], 'dags show'), /unexpected argument "b"/);
    assert.equal(parse(['x', '--json'], {}, ['dag'], 'dags show').json, true);
  });
  test('numbers, dates and JSON objects are checked', () => {
    assert.equal(intFlag('4', '--n', 1, 9), 4);
    assert.equal(intFlag(undefined, '--n', 1, 9), 9);
    assert.throws(() => intFlag('0', '--n', 1, 9), /at least 1/);
    assert.throws(() => intFlag('2.5', '--n', 1, 9), /whole number/);
    assert.equal(dateFlag('2026-01-02', '--from').toISOString(), '2026-01-02T00:00:00.000Z');
    assert.equal(dateFlag('2026-01-02T03:04:05', '--from').toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(dateFlag('2026-01-02T03:04:05+02:00', '--from').toISOString(), '2026-01-02T01:04:05.000Z');
    assert.throws(() => dateFlag('yesterday', '--from'), /ISO 8601/);
    assert.throws(() => dateFlag('2026-13-45', '--from'), /not a real date/);
    assert.deepEqual(jsonObjectFlag('{"a":1}', '--conf'), { a: 1 });
    assert.throws(() => jsonObjectFlag('[1]', '--conf'), /JSON object/);
    assert.throws(() => jsonObjectFlag('{', '--conf'), /not valid JSON/);
  });
});

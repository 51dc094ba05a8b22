import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confSizeProblem, findJsonProblem, formatJsonPath, MAX_CONF_BYTES, MAX_JSON_DEPTH } from '../../../src/core/json-limits.ts';

/** `levels` arrays inside each other, parsed from text (building it by recursion would defeat the point). */
const nestedArrays = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('findJsonProblem', () => {
  it('passes ordinary JSON, including emoji (surrogate pairs) and a key named __proto__', () => {
    assert.equal(findJsonProblem(JSON.parse('{"a": [1, "two", null, {"three": true}], "🙂": "ok 🙂", "__proto__": {"x": 1}}')), undefined);
    assert.equal(findJsonProblem(42), undefined);
    assert.equal(findJsonProblem('plain text'), undefined);
  });

  it(`allows ${MAX_JSON_DEPTH} levels and reports the first container below them, at any depth without recursion`, () => {
    assert.equal(findJsonProblem(nestedArrays(MAX_JSON_DEPTH)), undefined);
    for (const levels of [MAX_JSON_DEPTH + 1, 1_000_000]) {
      const problem = findJsonProblem(nestedArrays(levels));
      assert.equal(problem?.kind, 'depth');
      assert.equal(problem.path.length, MAX_JSON_DEPTH);
    }
  });

  it('finds NUL and lone surrogates in values and keys, with their paths', () => {
    assert.deepEqual(findJsonProblem({ a: [{ b: 'x\u0000' }] }), {
      kind: 'text',
      path: ['a', 0, 'b'],
      reason: 'it contains a NUL character (\\u0000), which PostgreSQL cannot store',
    });
    assert.equal(findJsonProblem({ a: ['\ud800'] })?.kind, 'text');
    assert.equal(findJsonProblem({ a: ['\udc00x'] })?.kind, 'text');
    assert.deepEqual(
      { ...findJsonProblem({ a: { ['k\ud83d']: 1 } }), reason: undefined },
      { kind: 'key', path: ['a'], key: 'k\ud83d', reason: undefined },
    );
    assert.equal(findJsonProblem('\u0000')?.kind, 'text');
  });
});

describe('formatJsonPath', () => {
  it('writes names after dots, indexes and other keys in brackets, escaped', () => {
    assert.equal(formatJsonPath(['conf', 'rows', 0, 'name']), 'conf.rows[0].name');
    assert.equal(formatJsonPath(['conf', 'a b', 'c.d']), 'conf["a b"]["c.d"]');
    assert.equal(formatJsonPath(['x\u0000']), '["x\\u0000"]');
    assert.equal(formatJsonPath([0, 1]), '[0][1]');
    assert.equal(formatJsonPath(['k'.repeat(100)]), `["${'k'.repeat(40)}…"]`);
  });
});

describe('confSizeProblem', () => {
  it(`allows ${MAX_CONF_BYTES} bytes of JSON, counted in UTF-8`, () => {
    const overhead = '{"s":""}'.length;
    assert.equal(confSizeProblem({ s: 'x'.repeat(MAX_CONF_BYTES - overhead) }), undefined);
    assert.match(confSizeProblem({ s: 'x'.repeat(MAX_CONF_BYTES - overhead + 1) })!, /^is 65,537 bytes as JSON/);
    // "é" is two bytes in UTF-8.
    assert.match(confSizeProblem({ s: 'é'.repeat(MAX_CONF_BYTES / 2) })!, /^is 65,544 bytes/);
  });
});

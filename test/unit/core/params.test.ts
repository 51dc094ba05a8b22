import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkParamValue, confPath, confProblems, paramSpecs, type ParamSchema, type ParamSpec } from '../../../src/core/params.ts';

/** The problem `value` has under `schema`, or null: what the UI shows beside a field. */
const problem = (schema: ParamSchema, value: unknown) => checkParamValue(schema, value)?.problem ?? null;

describe('checkParamValue: each rule, kept and broken', () => {
  it('type', () => {
    assert.equal(problem({ type: 'integer' }, 3), null);
    assert.equal(problem({ type: 'integer' }, 3.0), null, '3.0 is the integer 3 in JSON');
    assert.equal(problem({ type: 'integer' }, 3.5), 'must be an integer, got 3.5');
    assert.equal(problem({ type: 'integer' }, '3'), 'must be an integer, got "3"');
    assert.equal(problem({ type: 'number' }, 0.5), null);
    assert.equal(problem({ type: 'number' }, null), 'must be a number, got null');
    assert.equal(problem({ type: 'string' }, ''), null);
    assert.equal(problem({ type: 'string' }, 1), 'must be a string, got 1');
    assert.equal(problem({ type: 'boolean' }, false), null);
    assert.equal(problem({ type: 'boolean' }, 'true'), 'must be true or false, got "true"');
    assert.equal(problem({ type: 'array' }, [1]), null);
    assert.equal(problem({ type: 'array' }, {}), 'must be an array, got an object');
    assert.equal(problem({ type: 'object' }, { a: 1 }), null);
    assert.equal(problem({ type: 'object' }, [1]), 'must be an object, got an array');
  });

  it('enum, of scalars and of objects', () => {
    assert.equal(problem({ enum: ['dev', 'prod'] }, 'prod'), null);
    assert.equal(problem({ enum: ['dev', 'prod'] }, 'test'), 'must be one of "dev", "prod", got "test"');
    assert.equal(problem({ enum: [{ a: 1 }] }, { a: 1 }), null);
    assert.equal(problem({ enum: [1, 2] }, '1'), 'must be one of 1, 2, got "1"');
  });

  it('minimum and maximum, inclusive', () => {
    assert.equal(problem({ type: 'integer', minimum: 1 }, 1), null);
    assert.equal(problem({ type: 'integer', minimum: 1 }, 0), 'must be >= 1, got 0');
    assert.equal(problem({ type: 'number', maximum: 2.5 }, 2.5), null);
    assert.equal(problem({ type: 'number', maximum: 2.5 }, 2.6), 'must be <= 2.5, got 2.6');
  });

  it('minLength and maxLength count characters, not UTF-16 units', () => {
    assert.equal(problem({ type: 'string', minLength: 2 }, 'ab'), null);
    assert.equal(problem({ type: 'string', minLength: 2 }, 'a'), 'must be at least 2 characters long, got "a"');
    assert.equal(problem({ type: 'string', maxLength: 1 }, '😀'), null, 'one emoji is one character');
    assert.equal(problem({ type: 'string', maxLength: 1 }, 'ab'), 'must be at most 1 character long, got "ab"');
  });

  it('pattern searches the value (anchors are the author\'s)', () => {
    assert.equal(problem({ type: 'string', pattern: '[0-9]' }, 'ab1'), null);
    assert.equal(problem({ type: 'string', pattern: '^[a-z]+$' }, 'abc'), null);
    assert.equal(problem({ type: 'string', pattern: '^[a-z]+$' }, 'ab1'), 'must match the pattern /^[a-z]+$/, got "ab1"');
  });

  it('format date: YYYY-MM-DD of a day that exists', () => {
    assert.equal(problem({ type: 'string', format: 'date' }, '2028-02-29'), null);
    for (const bad of ['2026-02-29', '2026-1-31', '31/01/2026', '2026-01-31T00:00:00Z']) {
      assert.equal(problem({ type: 'string', format: 'date' }, bad), `must be a date as YYYY-MM-DD, like "2026-01-31", got ${JSON.stringify(bad)}`, bad);
    }
  });

  it('format date-time: a date and a time with seconds and a zone', () => {
    for (const good of ['2026-01-31T09:30:00Z', '2026-01-31T09:30:00.250+01:00', '2026-01-31t09:30:00z']) {
      assert.equal(problem({ type: 'string', format: 'date-time' }, good), null, good);
    }
    for (const bad of ['2026-01-31T09:30:00', '2026-01-31T09:30Z', '2026-01-31', '2026-01-31T25:00:00Z']) {
      assert.match(problem({ type: 'string', format: 'date-time' }, bad) ?? '', /^must be a date and time with its zone, like "2026-01-31T09:30:00Z"/, bad);
    }
  });

  it('an empty schema (a plain param) takes anything', () => {
    for (const value of [null, 1, 'x', [], {}]) assert.equal(problem({}, value), null);
  });

  it('names the rule as the DAG wrote it', () => {
    assert.deepEqual(checkParamValue({ type: 'integer', minimum: 1 }, 0), { rule: 'minimum 1', problem: 'must be >= 1, got 0' });
    assert.equal(checkParamValue({ type: 'string', pattern: 'a"b' }, 'x')?.rule, 'pattern "a\\"b"');
    assert.equal(checkParamValue({ type: 'string', format: 'date' }, 'x')?.rule, 'format date');
  });
});

describe('confProblems', () => {
  const params: Record<string, ParamSpec> = {
    limit: { schema: { type: 'integer', minimum: 1, description: 'rows per batch' }, default: 100 },
    region: { schema: { type: 'string', enum: ['eu', 'us'], required: true } },
    note: { schema: {}, default: null },
    since: { schema: { type: 'string', format: 'date' } },
  };

  it('passes a conf that keeps every rule, with extra keys and defaults', () => {
    assert.deepEqual(confProblems('etl', params, { region: 'eu' }), []);
    assert.deepEqual(confProblems('etl', params, { region: 'us', limit: 5, note: { any: 'thing' }, since: '2026-01-01', extra: [1] }), []);
  });

  it('names each param the conf gets wrong, the rule, and the DAG, in the params\' order', () => {
    assert.deepEqual(confProblems('etl', params, { since: 'yesterday', limit: 0 }), [
      { param: 'limit', rule: 'minimum 1', problem: 'must be >= 1, got 0', message: 'conf.limit must be >= 1, got 0 (param "limit" of DAG "etl": minimum 1)' },
      {
        param: 'region',
        rule: 'required',
        problem: 'is required: give a value',
        message: 'conf.region is missing (param "region" of DAG "etl": required, it has no default); add it to the conf',
      },
      {
        param: 'since',
        rule: 'format date',
        problem: 'must be a date as YYYY-MM-DD, like "2026-01-31", got "yesterday"',
        message: 'conf.since must be a date as YYYY-MM-DD, like "2026-01-31", got "yesterday" (param "since" of DAG "etl": format date)',
      },
    ]);
  });

  it('a param with neither default nor required may be left out', () => {
    assert.deepEqual(confProblems('etl', { since: params.since! }, {}), []);
  });

  it('refuses null for a typed param: null is a value like any other', () => {
    assert.equal(confProblems('etl', params, { region: 'eu', limit: null })[0]?.message, 'conf.limit must be an integer, got null (param "limit" of DAG "etl": type integer)');
  });

  it('names a key that is no identifier with brackets', () => {
    assert.equal(confPath('rows per batch'), 'conf["rows per batch"]');
    assert.equal(confPath('limit'), 'conf.limit');
  });
});

describe('paramSpecs', () => {
  it('a spec without typed params: each param takes anything', () => {
    assert.deepEqual(paramSpecs({ params: { limit: 100, dryRun: false } }), { limit: { schema: {}, default: 100 }, dryRun: { schema: {}, default: false } });
  });

  it('a spec with typed params: declaration order, a required param without default', () => {
    const specs = paramSpecs({
      params: { limit: 100, a: 1 },
      paramSchemas: [
        { name: 'region', schema: { type: 'string', required: true } },
        { name: 'limit', schema: { type: 'integer' } },
        { name: 'a', schema: {} },
      ],
    });
    assert.deepEqual(Object.keys(specs), ['region', 'limit', 'a']);
    assert.deepEqual(specs.region, { schema: { type: 'string', required: true } });
    assert.equal(Object.hasOwn(specs.region!, 'default'), false);
    assert.deepEqual(specs.limit, { schema: { type: 'integer' }, default: 100 });
  });
});

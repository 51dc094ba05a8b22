import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dag, param, DagDefinitionError, type ParamOptions } from 'sluice';
import { paramSpecs } from '../../../src/core/params.ts';
import { canonicalJson, specHash } from '../../../src/core/spec.ts';

/** The message dag() refuses a param with, for DAG "etl" and param "p". */
function refusal(options: unknown, dagOptions: Record<string, unknown> = {}): string {
  try {
    dag('etl', { ...dagOptions, params: { p: param(options as ParamOptions) } });
  } catch (error) {
    assert.ok(error instanceof DagDefinitionError, `not a DagDefinitionError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`param(${JSON.stringify(options)}) was accepted`);
}

describe('param() in a DAG', () => {
  it('records each param\'s rules in declaration order and its default beside the plain ones', () => {
    const d = dag('etl', {
      params: {
        limit: param({ type: 'integer', default: 100, minimum: 1, description: 'rows per batch' }),
        dryRun: false,
        region: param({ type: 'string', enum: ['eu', 'us'], required: true }),
        since: param({ type: 'string', format: 'date' }),
      },
    });
    const spec = d.toSpec();
    assert.deepEqual(spec.params, { limit: 100, dryRun: false });
    assert.deepEqual(spec.paramSchemas, [
      { name: 'limit', schema: { type: 'integer', minimum: 1, description: 'rows per batch' } },
      { name: 'dryRun', schema: {} },
      { name: 'region', schema: { type: 'string', enum: ['eu', 'us'], required: true } },
      { name: 'since', schema: { type: 'string', format: 'date' } },
    ]);
    assert.deepEqual(paramSpecs(spec), {
      limit: { schema: { type: 'integer', minimum: 1, description: 'rows per batch' }, default: 100 },
      dryRun: { schema: {}, default: false },
      region: { schema: { type: 'string', enum: ['eu', 'us'], required: true } },
      since: { schema: { type: 'string', format: 'date' } },
    });
  });

  it('leaves a DAG without typed params with the spec, so the version, it had', () => {
    const spec = dag('etl', { params: { limit: 100 } }).toSpec();
    // What specHash hashes, exactly as before typed params: a change here would give every
    // existing DAG a new version on upgrade.
    assert.equal(
      canonicalJson(spec),
      '{"catchup":false,"dagId":"etl","dagrunTimeoutMs":null,"description":"","endDate":null,"isPausedUponCreation":false,' +
        '"maxActiveRuns":16,"maxActiveTasks":16,"params":{"limit":100},"schedule":null,"startDate":null,"tags":[],"tasks":[],"timezone":"UTC"}',
    );
    assert.notEqual(specHash(dag('etl', { params: { limit: param({ default: 100 }) } }).toSpec()), specHash(spec), 'typing a param is a new version');
  });

  it('takes a default of any JSON value and copies it', () => {
    const options = { type: 'object' as const, default: { a: [1, 'x', null] } };
    const d = dag('etl', { params: { p: param(options) } });
    options.default.a.push(2);
    assert.deepEqual(d.toSpec().params, { p: { a: [1, 'x', null] } });
  });

  it('accepts a param without type (enum alone, or a described default)', () => {
    assert.deepEqual(dag('etl', { params: { p: param({ enum: [1, 'a'], default: 'a' }) } }).toSpec().paramSchemas, [{ name: 'p', schema: { enum: [1, 'a'] } }]);
    assert.deepEqual(dag('etl', { params: { p: param({ default: 5, description: 'd' }) } }).toSpec().paramSchemas, [{ name: 'p', schema: { description: 'd' } }]);
  });

  it('a required param in a DAG with a schedule is refused: its scheduled runs would have no value', () => {
    const message = refusal({ type: 'string', required: true }, { schedule: '@daily', startDate: '2026-01-01' });
    assert.equal(
      message,
      'DAG "etl": param "p" is required (it has no default), but the DAG has schedule "@daily", whose runs take the params\' defaults; give it a default instead of required: true, or make the DAG manual-only with schedule: null',
    );
    assert.ok(dag('etl', { schedule: null, params: { p: param({ type: 'string', required: true }) } }));
  });
});

describe('param() refuses, naming the DAG, the param and the fix', () => {
  it('an unknown option, with a suggestion', () => {
    assert.equal(
      refusal({ type: 'integer', minimun: 1 }),
      'DAG "etl": param "p": unknown option "minimun"; did you mean "minimum"? Valid param options: type, default, enum, minimum, maximum, minLength, maxLength, pattern, format, description, required',
    );
  });

  it('options that are not an object', () => {
    assert.equal(refusal(5), 'DAG "etl": param "p": param() takes an object of options, like param({ type: \'integer\', default: 100 }); got 5');
  });

  it('an unknown type, with Python\'s names mapped', () => {
    assert.equal(refusal({ type: 'int' }), 'DAG "etl": param "p": option "type": "int" is not one of \'string\', \'number\', \'integer\', \'boolean\', \'array\', \'object\'. Did you mean \'integer\'?');
    assert.match(refusal({ type: 'strng' }), /Did you mean 'string'\?$/);
  });

  it('options of the wrong type', () => {
    assert.equal(refusal({ type: 'integer', minimum: '1' }), 'DAG "etl": param "p": option "minimum" must be a finite number; got "1"');
    assert.equal(refusal({ type: 'string', maxLength: -1 }), 'DAG "etl": param "p": option "maxLength" must be an integer >= 0; got -1');
    assert.equal(refusal({ type: 'string', description: 5 }), 'DAG "etl": param "p": option "description" must be a string; got 5');
    assert.equal(refusal({ type: 'string', required: 'yes' }), 'DAG "etl": param "p": option "required" must be true or false; got "yes"');
    assert.equal(refusal({ type: 'string', format: 'datetime' }), 'DAG "etl": param "p": option "format": "datetime" is not one of \'date\', \'date-time\'. Did you mean \'date-time\'?');
    assert.equal(refusal({ enum: [] }), 'DAG "etl": param "p": option "enum" must be a non-empty array of the allowed values, like [\'dev\', \'prod\']; got an array');
  });

  it('a rule that does not apply to the param\'s type', () => {
    assert.equal(refusal({ type: 'string', minimum: 1 }), 'DAG "etl": param "p": option "minimum" applies to number and integer values only; add type: \'number\' or \'integer\' (the param has type \'string\')');
    assert.equal(refusal({ pattern: 'a' }), 'DAG "etl": param "p": option "pattern" applies to string values only; add type: \'string\'');
    assert.equal(refusal({ type: 'integer', format: 'date' }), 'DAG "etl": param "p": option "format" applies to string values only; add type: \'string\' (the param has type \'integer\')');
  });

  it('a range no value fits', () => {
    assert.equal(refusal({ type: 'integer', minimum: 5, maximum: 1 }), 'DAG "etl": param "p": option "minimum" (5) is greater than option "maximum" (1), so no value could pass; swap or fix them');
    assert.match(refusal({ type: 'string', minLength: 3, maxLength: 2 }), /option "minLength" \(3\) is greater than option "maxLength" \(2\)/);
  });

  it('an enum value of another type', () => {
    assert.equal(refusal({ type: 'string', enum: ['a', 1] }), 'DAG "etl": param "p": option "enum": its value 1 (at index 1) is not of the param\'s type: it must be a string');
  });

  it('a default that breaks its own schema, each rule', () => {
    const cases: [ParamOptions, string][] = [
      [{ type: 'integer', default: 'x' }, 'its default "x" breaks its own rule type integer (it must be an integer)'],
      [{ type: 'integer', default: 0, minimum: 1 }, 'its default 0 breaks its own rule minimum 1 (it must be >= 1)'],
      [{ type: 'number', default: 11, maximum: 10 }, 'its default 11 breaks its own rule maximum 10 (it must be <= 10)'],
      [{ type: 'string', default: 'c', enum: ['a', 'b'] }, 'its default "c" breaks its own rule enum ["a","b"] (it must be one of "a", "b")'],
      [{ type: 'string', default: '', minLength: 1 }, 'its default "" breaks its own rule minLength 1 (it must be at least 1 character long)'],
      [{ type: 'string', default: 'abc', maxLength: 2 }, 'its default "abc" breaks its own rule maxLength 2 (it must be at most 2 characters long)'],
      [{ type: 'string', default: 'A', pattern: '^[a-z]+$' }, 'its default "A" breaks its own rule pattern "^[a-z]+$" (it must match the pattern /^[a-z]+$/)'],
      [{ type: 'string', default: '2026-13-01', format: 'date' }, 'its default "2026-13-01" breaks its own rule format date (it must be a date as YYYY-MM-DD, like "2026-01-31")'],
    ];
    for (const [options, problem] of cases) {
      assert.equal(refusal(options), `DAG "etl": param "p": ${problem}; change the default or the rule`);
    }
  });

  it('a default that JSON cannot hold', () => {
    assert.match(refusal({ default: new Date(0) }), /^DAG "etl": param "p": option "default": params\.p is Date 1970-01-01T00:00:00\.000Z, which JSON cannot hold/);
  });

  it('required with a default', () => {
    assert.equal(
      refusal({ type: 'string', required: true, default: 'eu' }),
      'DAG "etl": param "p" is required and has a default; a required param has none (each run must give it): drop the default, or required: true',
    );
  });

  it('a pattern that is no regular expression', () => {
    assert.equal(
      refusal({ type: 'string', pattern: '[a-' }),
      'DAG "etl": param "p": option "pattern": "[a-" is not a valid regular expression (Invalid regular expression: /[a-/u: Unterminated character class); write a JavaScript regular expression without slashes or flags, like \'^[a-z]+$\'',
    );
    // Valid without the u flag, but JSON Schema patterns are Unicode, and the validator uses it.
    assert.match(refusal({ type: 'string', pattern: '\\-' }), /is not a valid regular expression/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParamSpec } from '../../../../src/core/params.ts';
import { fieldKind, formConf, initialText, readField, ruleHint } from '../../../../ui/src/lib/param-form.ts';

const params: Record<string, ParamSpec> = {
  limit: { schema: { type: 'integer', minimum: 1 }, default: 100 },
  mode: { schema: { type: 'string', enum: ['fast', 'safe'] }, default: 'safe' },
  dryRun: { schema: { type: 'boolean' }, default: false },
  force: { schema: { type: 'boolean' } },
  day: { schema: { type: 'string', format: 'date', required: true } },
  at: { schema: { type: 'string', format: 'date-time' }, default: '2026-01-31T09:30:00Z' },
  name: { schema: { type: 'string' }, default: 'abc' },
  tags: { schema: { type: 'array' }, default: ['a'] },
  plain: { schema: {}, default: 'x' },
};

describe('the trigger form of typed params', () => {
  it('gives each param the input its rules call for', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(params).map(([name, p]) => [name, fieldKind(p)])),
      { limit: 'number', mode: 'select', dryRun: 'checkbox', force: 'select', day: 'date', at: 'datetime', name: 'text', tags: 'json', plain: 'json' },
    );
  });

  it('starts each field with its default', () => {
    const texts = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, initialText(p, 'utc')]));
    assert.deepEqual(texts, { limit: '100', mode: '1', dryRun: 'false', force: '', day: '', at: '2026-01-31T09:30:00', name: 'abc', tags: '[\n  "a"\n]', plain: '"x"' });
  });

  it('reads a field: empty leaves the param out; text that is no value says so', () => {
    assert.deepEqual(readField(params.limit!, ' ', 'utc'), { kind: 'empty' });
    assert.deepEqual(readField(params.limit!, '7', 'utc'), { kind: 'value', value: 7 });
    assert.deepEqual(readField(params.mode!, '0', 'utc'), { kind: 'value', value: 'fast' });
    assert.deepEqual(readField(params.force!, '1', 'utc'), { kind: 'value', value: false });
    assert.deepEqual(readField(params.dryRun!, 'true', 'utc'), { kind: 'value', value: true });
    assert.deepEqual(readField(params.at!, '2026-02-01T10:00:05', 'utc'), { kind: 'value', value: '2026-02-01T10:00:05.000Z' });
    assert.deepEqual(readField(params.at!, '2026-02-30T10:00', 'utc'), { kind: 'bad', problem: 'give a complete date and time' });
    assert.deepEqual(readField(params.tags!, '["b"]', 'utc'), { kind: 'value', value: ['b'] });
    assert.equal(readField(params.tags!, '[b]', 'utc').kind, 'bad');
  });

  it('makes the conf and says what is wrong beside each field, by the server\'s rules', () => {
    const texts = { limit: '0', mode: '0', dryRun: 'true', day: '', at: '', name: 'n', tags: '[', plain: '' };
    const form = formConf('etl', params, texts, { extra: 1, limit: 5 }, 'utc');
    assert.deepEqual(form.conf, { extra: 1, limit: 0, mode: 'fast', dryRun: true, name: 'n' });
    assert.deepEqual(form.problems, {
      tags: 'is not valid JSON at line 1, column 2: it ends too early (a missing closing brace, bracket or quote?)',
      limit: 'must be >= 1, got 0',
      day: 'is required: give a value',
    });
    assert.equal(form.extraProblem, '"limit" is a param: set it in its field above');
  });

  it('reads the rules out beside a field', () => {
    assert.equal(ruleHint({ schema: { type: 'integer', minimum: 1, maximum: 50 } }), '1 to 50, a whole number');
    assert.equal(ruleHint({ schema: { type: 'string', maxLength: 80, pattern: '^a', required: true } }), 'at most 80 characters, matching /^a/, required');
    assert.equal(ruleHint({ schema: {} }), 'any JSON value');
  });
});

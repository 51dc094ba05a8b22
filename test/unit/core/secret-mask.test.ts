import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_MASKED_LENGTH, SecretMask } from '../../../src/core/secret-mask.ts';

test('every value added is masked, also as a JSON string writes it, the longest first', () => {
  const mask = new SecretMask();
  mask.add('hunter2-long');
  mask.add('hunter2-long-and-longer');
  mask.add('quote"and\\slash');
  const line = JSON.stringify({ msg: 'pw hunter2-long-and-longer then hunter2-long and quote"and\\slash' });
  assert.equal(mask.apply(line), JSON.stringify({ msg: 'pw *** then *** and ***' }));
});

test(`values shorter than ${MIN_MASKED_LENGTH} characters (and empty ones) are not masked`, () => {
  const mask = new SecretMask();
  mask.add('abcd');
  mask.add('');
  mask.add(null);
  assert.equal(mask.empty, true);
  assert.equal(mask.apply('abcd abcde'), 'abcd abcde');
  mask.add('abcde');
  assert.equal(mask.apply('abcd abcde'), 'abcd ***');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { keyFingerprint, SecretBox } from '../../../src/engine/secret-box.ts';
import { SluiceError } from '../../../src/errors.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

test('a sealed value opens with its key, holds no trace of the clear text, and differs each time (its own IV)', () => {
  const box = new SecretBox({ current: newKey, previous: [] });
  const a = box.seal('hunter2-password', 'connection:c:password', 'c');
  const b = box.seal('hunter2-password', 'connection:c:password', 'c');
  assert.notEqual(a, b);
  assert.equal(a.includes('hunter2'), false);
  assert.equal(a.split('.')[1], keyFingerprint(newKey));
  assert.equal(box.open(a, 'connection:c:password', 'c'), 'hunter2-password');
});

test('a value sealed under a previous key opens while that key is in SLUICE_SECRET_KEY_PREVIOUS, and is stale', () => {
  const sealed = new SecretBox({ current: oldKey, previous: [] }).seal('v4lue', 'variable:api_token:value', 'x');
  const rotating = new SecretBox({ current: newKey, previous: [oldKey] });
  assert.equal(rotating.open(sealed, 'variable:api_token:value', 'x'), 'v4lue');
  assert.equal(rotating.isStale(sealed), true);
  assert.equal(rotating.isStale(rotating.seal('v4lue', 'p', 'x')), false);
});

test('without the key that sealed it, the error names the value and what to set', () => {
  const sealed = new SecretBox({ current: oldKey, previous: [] }).seal('v4lue', 'p', 'x');
  assert.throws(
    () => new SecretBox({ current: newKey, previous: [] }).open(sealed, 'p', 'the password of connection "warehouse"'),
    (e) => e instanceof SluiceError && e.status === 409 && /the password of connection "warehouse" cannot be decrypted: .*SLUICE_SECRET_KEY_PREVIOUS/.test(e.message),
  );
});

test('a sealed value moved to another place fails its integrity check', () => {
  const box = new SecretBox({ current: newKey, previous: [] });
  const sealed = box.seal('v4lue', 'connection:a:password', 'a');
  assert.throws(() => box.open(sealed, 'connection:b:password', 'the password of connection "b"'), /connection "b" cannot be decrypted: it fails its integrity check/);
});

test('with no key, sealing is refused with how to make one', () => {
  assert.throws(
    () => new SecretBox({ current: undefined, previous: [] }).seal('pw', 'p', 'the password of connection "warehouse"'),
    (e) => e instanceof SluiceError && e.status === 400 && /SLUICE_SECRET_KEY is not set.*openssl rand -hex 32/.test(e.message),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { catchStrayErrors, strayErrorMessage } from '../../../workers/stray-errors.ts';

test('the process handlers are installed once while anyone wants them, and removed with the last', () => {
  const log = pino({ level: 'silent' });
  const count = () => ({ rejection: process.listenerCount('unhandledRejection'), exception: process.listenerCount('uncaughtException') });
  const before = count();
  const first = catchStrayErrors(log);
  const second = catchStrayErrors(log);
  assert.deepEqual(count(), { rejection: before.rejection + 1, exception: before.exception + 1 });
  first();
  first(); // a second release of the same installer changes nothing
  assert.deepEqual(count(), { rejection: before.rejection + 1, exception: before.exception + 1 });
  second();
  assert.deepEqual(count(), before);
});

test('the message says which kind of stray error it was, with its text', () => {
  assert.equal(strayErrorMessage(new Error('boom'), 'unhandledRejection'), 'the task left an unhandled promise rejection: boom');
  assert.equal(strayErrorMessage('a string', 'unhandledRejection'), 'the task left an unhandled promise rejection: a string');
  assert.equal(
    strayErrorMessage(new TypeError(''), 'uncaughtException'),
    "the task threw outside its promise chain (in a callback such as setTimeout's): TypeError",
  );
});

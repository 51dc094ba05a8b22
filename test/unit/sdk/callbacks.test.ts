import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackList, defineNotifier, describeCallback, isNotifier, type CallbackContext } from '../../../src/sdk/callbacks.ts';

const WHERE = 'DAG "x" onFailure';
const notifier = defineNotifier({ kind: 'slack', describe: 'slack → #alerts' }, async () => {});

describe('callbackList', () => {
  it('makes a list of a function, a notifier or an array of them, in order', () => {
    const one = () => {};
    const two = async (_c: CallbackContext) => {};
    assert.deepEqual(callbackList(one, WHERE), [one]);
    assert.deepEqual(callbackList(notifier, WHERE), [notifier]);
    assert.deepEqual(callbackList([two, notifier, one], WHERE), [two, notifier, one]);
    assert.deepEqual(callbackList([], WHERE), []);
  });

  it('reads an unset option as no callback', () => {
    assert.deepEqual(callbackList(undefined, WHERE), []);
    assert.deepEqual(callbackList(null, WHERE), []);
  });

  it('refuses anything else, naming where and what it got', () => {
    assert.throws(() => callbackList('#alerts', WHERE), {
      message: 'DAG "x" onFailure: expected a function, a notifier or an array of them; got a string ("#alerts")',
    });
    assert.throws(() => callbackList({ webhookUrl: 'x' }, WHERE), { message: /^DAG "x" onFailure: expected .*; got an object$/ });
    assert.throws(() => callbackList(3, WHERE), { message: /got a number \(3\)$/ });
    assert.throws(() => callbackList(true, WHERE), { message: /got a boolean \(true\)$/ });
  });

  it('names the element of an array that is not a function, nested arrays included', () => {
    assert.throws(() => callbackList([notifier, 'ops@example.com'], WHERE), {
      message: 'DAG "x" onFailure[1]: expected a function or a notifier; got a string ("ops@example.com")',
    });
    assert.throws(() => callbackList([[notifier]], WHERE), { message: 'DAG "x" onFailure[0]: expected a function or a notifier; got an array' });
  });

  it('never quotes a URL given where a callback belongs, and says what to do with it', () => {
    const secret = 'https://hooks.slack.com/services/T000/B000/s3cr3t';
    assert.throws(
      () => callbackList(secret, WHERE),
      (error: Error) => !error.message.includes('s3cr3t') && /got a string holding a URL; pass it to a notifier, e\.g\. slack\(\{ webhookUrl \}\)/.test(error.message),
    );
  });
});

describe('notifiers and their descriptions', () => {
  it('a notifier is a function branded with its kind and description, which cannot be changed', () => {
    assert.equal(typeof notifier, 'function');
    assert.ok(isNotifier(notifier));
    assert.deepEqual(notifier.notifier, { kind: 'slack', describe: 'slack → #alerts' });
    assert.ok(Object.isFrozen(notifier.notifier));
    assert.throws(() => ((notifier as unknown as { notifier: unknown }).notifier = null), TypeError);
  });

  it('a notifier made by another copy of the code is recognized by its shape', () => {
    const foreign = Object.assign(async () => {}, { notifier: { kind: 'email', describe: 'email → ops@example.com' } });
    assert.ok(isNotifier(foreign));
    assert.ok(!isNotifier(Object.assign(async () => {}, { notifier: { kind: 'pager', describe: 'x' } })));
    assert.ok(!isNotifier({ notifier: { kind: 'email', describe: 'x' } }));
    assert.ok(!isNotifier(() => {}));
  });

  it('describeCallback: the notifier’s description, else the function’s name', () => {
    function pageTheOnCall() {}
    const tellOps = async () => {};
    assert.equal(describeCallback(notifier), 'slack → #alerts');
    assert.equal(describeCallback(pageTheOnCall), 'pageTheOnCall');
    assert.equal(describeCallback(tellOps), 'tellOps');
    assert.equal(describeCallback([() => {}][0]!), 'anonymous function');
  });

  it('a notifier passes the context through to what it sends', async () => {
    const seen: string[] = [];
    const n = defineNotifier({ kind: 'webhook', describe: 'webhook → example.com' }, async (c) => {
      seen.push(`${c.event} ${c.dagId}`);
    });
    await n({ event: 'dag_failure', dagId: 'orders' } as CallbackContext);
    assert.deepEqual(seen, ['dag_failure orders']);
  });
});

/** triggerDag checks its DAG id and options when it is made (while the DAG file is parsed): the message says which, what is wrong and how to fix it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { triggerDag } from '../../../src/operators/index.ts';

const loose = <T>(value: unknown): T => value as T;

describe('triggerDag refuses bad options when made', () => {
  it('names the DAG id or the option, and the fix', () => {
    assert.throws(() => triggerDag(loose(undefined)), /^Error: triggerDag\(\): the DAG id is missing: pass it, e\.g\. triggerDag\('orders_daily'\)/);
    assert.throws(() => triggerDag('target', loose('now')), /triggerDag\("target"\) takes an options object as its second argument/);
    assert.throws(() => triggerDag('target', loose({ waitForCompletition: true })), /triggerDag\("target"\): unknown option "waitForCompletition"; did you mean "waitForCompletion"\?/);
    assert.throws(() => triggerDag('target', loose({ waitForCompletion: 'yes' })), /waitForCompletion must be true or false; got "yes"/);
    assert.throws(() => triggerDag('target', { pokeInterval: '10' }), /pokeInterval: "10" has no unit/);
    assert.throws(() => triggerDag('target', loose({ failedStates: ['broken'] })), /failedStates: "broken" is not a state here; use some of queued, running, success, failed/);
    assert.throws(() => triggerDag('target', loose({ conf: [1, 2] })), /conf must be an object like \{ limit: 100 \}/);
    assert.throws(() => triggerDag('target', { conf: { at: new Date() } }), /which JSON cannot hold/);
    assert.throws(() => triggerDag('target', loose({ logicalDate: '2026-12-07' })), /logicalDate must be a function, e\.g\. logicalDate: \(ctx\) => ctx\.logicalDate/);
  });

  it('accepts the documented options, a conf given as a function included', () => {
    assert.equal(typeof triggerDag('target'), 'function');
    assert.equal(
      typeof triggerDag('target', { conf: (ctx) => ({ day: ctx.logicalDate.toISOString() }), logicalDate: (ctx) => ctx.logicalDate, waitForCompletion: true, pokeInterval: '30s', failedStates: ['failed'] }),
      'function',
    );
  });
});

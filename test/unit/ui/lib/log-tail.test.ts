import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitLog } from '../../../../ui/src/lib/log-lines.ts';
import { appendPage, EMPTY_TAIL, logPage } from '../../../../ui/src/lib/log-tail.ts';

const T = '2026-01-01T00:00:00.000Z';

const headers = (next: number, size: number, complete: boolean) =>
  new Headers({ 'x-log-offset': '0', 'x-log-next-offset': String(next), 'x-log-size': String(size), 'x-log-complete': String(complete) });

describe('the UI follows a log by appending pages', () => {
  test('pages are appended in order, and where to read next comes from the last answer', () => {
    const first = appendPage(EMPTY_TAIL, logPage(`${T} INFO one\n${T} INFO two\n`, headers(120, 300, false)));
    assert.deepEqual(first.lines.map((l) => l.text), [`${T} INFO one`, `${T} INFO two`]);
    assert.equal(first.next, 120);
    assert.equal(first.size, 300);
    const second = appendPage(first, logPage(`${T} WARN three\n`, headers(300, 300, true)));
    assert.deepEqual(second.lines.map((l) => [l.text, l.level]), [
      [`${T} INFO one`, 'info'],
      [`${T} INFO two`, 'info'],
      [`${T} WARN three`, 'warn'],
    ]);
    assert.equal(second.next, 300);
    assert.equal(second.complete, true);
    assert.deepEqual(first.lines.length, 2, 'the tail appended to is left as it was');
  });

  test('an error stack that starts a page keeps the level of the error the last page ended with', () => {
    const tail = appendPage(EMPTY_TAIL, logPage(`${T} ERROR task failed\n`, headers(50, 90, false)));
    const next = appendPage(tail, logPage('    at run (dag.ts:1:1)\n', headers(90, 90, false)));
    assert.deepEqual(next.lines.map((l) => l.level), ['error', 'error']);
    assert.deepEqual(splitLog('    at x\nplain\n', 'warn').map((l) => l.level), ['warn', 'other']);
  });

  test('an answer with nothing new gives back the very same tail, so nothing re-renders', () => {
    const tail = appendPage(EMPTY_TAIL, logPage(`${T} INFO one\n`, headers(40, 40, false)));
    assert.equal(appendPage(tail, logPage('', headers(40, 40, false))), tail);
    const ended = appendPage(tail, logPage('', headers(40, 40, true)));
    assert.notEqual(ended, tail, 'the try ending is news even without new lines');
    assert.equal(ended.lines, tail.lines);
    assert.equal(ended.complete, true);
  });

  test('an answer without the offset headers is refused with a reason', () => {
    assert.throws(() => logPage('text', new Headers()), /no X-Log-Next-Offset or X-Log-Size header; reload the page/);
  });
});

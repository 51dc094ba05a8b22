import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLog } from '../../../../src/log-format.ts';
import { splitLog } from '../../../../ui/src/lib/log-lines.ts';

describe('splitLog', () => {
  const T = '2026-01-01T00:00:00.000Z';

  it('takes each line\'s level from the word after its time', () => {
    const text = [`${T} TRACE a`, `${T} DEBUG b`, `${T} INFO c`, `${T} WARN d`, `${T} ERROR e`, `${T} FATAL f`].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    );
  });

  it('keeps each line\'s text as it is', () => {
    const lines = [`${T} INFO loading rows=42`, '    at x (y.ts:1:2)', 'raw  output  ', ''];
    assert.deepEqual(
      splitLog(`${lines.join('\n')}\n`).map((l) => l.text),
      lines,
    );
  });

  it('gives indented continuation lines the level of the line they continue', () => {
    const text = [`${T} ERROR task failed`, '    Error: boom', '    at run (dag.ts:1:1)', '\tat main (dag.ts:9:9)', `${T} INFO next`, '  more info'].join('\n');
    assert.deepEqual(splitLog(text), [
      { text: `${T} ERROR task failed`, level: 'error' },
      { text: '    Error: boom', level: 'error' },
      { text: '    at run (dag.ts:1:1)', level: 'error' },
      { text: '\tat main (dag.ts:9:9)', level: 'error' },
      { text: `${T} INFO next`, level: 'info' },
      { text: '  more info', level: 'info' },
    ]);
  });

  it('reads the log as the server formats it, an error\'s stack included', () => {
    const time = Date.parse(T);
    const raw = [
      JSON.stringify({ level: 30, time, msg: 'start', rows: 3 }),
      JSON.stringify({ level: 50, time, msg: 'task failed', err: { message: 'boom', stack: 'Error: boom\n    at run (dag.ts:1:1)\n    at main (dag.ts:9:9)' } }),
      JSON.stringify({ level: 40, time, msg: 'retrying' }),
      'output that is not pino',
    ].join('\n');
    assert.deepEqual(
      splitLog(formatLog(raw)).map((l) => l.level),
      ['info', 'error', 'error', 'error', 'error', 'warn', 'other'],
    );
  });

  it("gives lines that are not the server's format the level 'other'", () => {
    const text = ['plain output', 'npm WARN deprecated x', `${T} WARNING not a level`, `${T} INFOS neither`, `${T} info lower case`, `${T}`].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['other', 'other', 'other', 'other', 'other', 'other'],
    );
  });

  it('reads the level of a line that had no time (the formatter then starts with the level)', () => {
    assert.deepEqual(splitLog('ERROR no time on this line\n    at stack').map((l) => l.level), ['error', 'error']);
  });

  it("ends a continuation at an unindented line or an empty one, and starts as 'other'", () => {
    const text = ['  indented first line', `${T} ERROR failed`, 'not indented', '  so not an error', `${T} ERROR again`, '', '  after a blank line'].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['other', 'error', 'other', 'other', 'error', 'other', 'other'],
    );
  });

  it('drops one trailing newline, not the empty lines before it', () => {
    assert.deepEqual(splitLog(`${T} INFO a\n`), [{ text: `${T} INFO a`, level: 'info' }]);
    assert.deepEqual(splitLog(`${T} INFO a`), [{ text: `${T} INFO a`, level: 'info' }]);
    assert.deepEqual(splitLog(`${T} INFO a\n\n`), [
      { text: `${T} INFO a`, level: 'info' },
      { text: '', level: 'other' },
    ]);
  });

  it('has no lines for an empty log', () => {
    assert.deepEqual(splitLog(''), []);
    assert.deepEqual(splitLog('\n'), []);
    assert.deepEqual(splitLog(formatLog('')), []);
  });
});

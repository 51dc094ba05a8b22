import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLine, formatLog } from '../../src/log-format.ts';

describe('task log formatting', () => {
  test('turns pino lines into readable text with fields and stacks', () => {
    const line = JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', msg: 'loading', rows: 42, table: 'orders x' });
    assert.equal(formatLine(line), '2026-01-01T00:00:00.000Z INFO loading rows=42 table="orders x"');
    const err = JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' } });
    assert.match(formatLine(err), /ERROR failed\n {4}Error: boom\n {4}at f/);
    assert.equal(formatLog('not json\n\n'), 'not json\n');
  });
});

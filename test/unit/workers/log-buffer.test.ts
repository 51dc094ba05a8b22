import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogChunk } from '../../../src/store/logs.ts';
import { LogBuffer } from '../../../workers/log-buffer.ts';

const A = { dagId: 'd', runId: 'r', taskId: 'a', mapIndex: -1, tryNumber: 1 };
const B = { dagId: 'd', runId: 'r', taskId: 'b', mapIndex: -1, tryNumber: 1 };

const line = (msg: string, pad = 0) => `${JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', msg, pad: 'x'.repeat(pad) })}\n`;

/** A store that keeps what it is given, in order, and can be held open or made to fail. */
function recordingStore() {
  const stored: LogChunk[] = [];
  let release: (() => void) | undefined;
  let failNext = false;
  const store = async (chunks: LogChunk[]) => {
    if (failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    if (release === undefined) {
      stored.push(...chunks);
      return;
    }
    await new Promise<void>((resolve) => {
      const previous = release!;
      release = () => {
        previous();
        resolve();
      };
    });
    stored.push(...chunks);
  };
  return {
    stored,
    store,
    hold: () => (release = () => undefined),
    release: () => {
      const r = release;
      release = undefined;
      r?.();
    },
    failNext: () => (failNext = true),
  };
}

/** Parsed log lines of one try, in the order the store received them. */
const linesOf = (chunks: LogChunk[], key = A) =>
  chunks
    .filter((c) => c.taskId === key.taskId)
    .map((c) => c.chunk)
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('LogBuffer', () => {
  test('stores each try\'s lines in the order written, one chunk per try per flush', async () => {
    const buffer = new LogBuffer(1_000_000);
    const s = recordingStore();
    const a = buffer.writer(A);
    const b = buffer.writer(B);
    a(line('a1'));
    b(line('b1'));
    a(line('a2'));
    await buffer.flush(s.store);
    assert.equal(s.stored.length, 2);
    a(line('a3'));
    const rest = await buffer.finish(A);
    assert.deepEqual(linesOf([...s.stored, ...(rest ? [rest] : [])]).map((l) => l.msg), ['a1', 'a2', 'a3']);
    assert.deepEqual(linesOf(s.stored, B).map((l) => l.msg), ['b1']);
    await buffer.flush(s.store);
    assert.equal(s.stored.length, 2, 'nothing left to store: a flush with no lines stores nothing');
  });

  test('past the limit it drops whole lines, says so at once, and counts what it dropped at the end', async () => {
    const limit = 10_000;
    const buffer = new LogBuffer(limit);
    const s = recordingStore();
    const write = buffer.writer(A);
    const one = line('kept', 900);
    const perLine = Buffer.byteLength(one);
    let written = 0;
    for (let i = 0; i < 100; i++) {
      write(line('kept', 900));
      written += perLine;
      if (i === 50) await buffer.flush(s.store);
    }
    const rest = await buffer.finish(A);
    const lines = linesOf([...s.stored, ...(rest ? [rest] : [])]);
    const kept = Math.floor(limit / perLine);
    assert.equal(lines.filter((l) => l.msg === 'kept').length, kept);
    const markers = lines.filter((l) => l.msg !== 'kept');
    assert.equal(markers.length, 2, 'one line where the log is cut, one at the end with the count');
    assert.deepEqual(lines.slice(kept).map((l) => l.msg === 'kept'), [false, false], 'the markers come after the kept lines');
    for (const marker of markers) {
      assert.equal(marker.level, 40);
      assert.match(String(marker.msg), /SLUICE_TASK_LOG_LIMIT/);
      assert.match(String(marker.msg), /cut at 10 KB/);
      assert.match(String(marker.msg), /SLUICE_TASK_LOG_LIMIT=20KB/);
      assert.equal(marker.logLimitBytes, limit);
      assert.ok(!Number.isNaN(Date.parse(String(marker.time))));
    }
    assert.equal(markers[1]!.droppedLines, 100 - kept);
    assert.equal(markers[1]!.droppedBytes, written - kept * perLine);
    assert.match(String(markers[1]!.msg), new RegExp(`${100 - kept} lines`));
    const stored = [...s.stored, rest!].reduce((n, c) => n + Buffer.byteLength(c.chunk), 0);
    assert.ok(stored <= limit + 1_000, `${stored} bytes stored for a ${limit}-byte limit`);
  });

  test('once a line is dropped the log stays cut: a later line that would fit is dropped too', async () => {
    const buffer = new LogBuffer(2_000);
    const write = buffer.writer(A);
    write(line('big', 1_850));
    write(line('too long', 100));
    write(line('tiny'));
    assert.ok(Buffer.byteLength(line('big', 1_850)) + Buffer.byteLength(line('tiny')) <= 2_000, 'the tiny line would fit');
    const rest = await buffer.finish(A);
    const lines = linesOf([rest!]);
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.msg, 'big');
    assert.equal(lines[2]!.droppedLines, 2);
  });

  test('finishing a try waits for a flush that holds some of its lines, so its last lines come last', async () => {
    const buffer = new LogBuffer(1_000_000);
    const s = recordingStore();
    const write = buffer.writer(A);
    write(line('first'));
    s.hold();
    const flushing = buffer.flush(s.store);
    write(line('last'));
    let finished = false;
    const finishing = buffer.finish(A).then((rest) => {
      finished = true;
      return rest;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(finished, false, 'finish must not hand over the last lines while earlier ones are being stored');
    s.release();
    await flushing;
    const rest = await finishing;
    assert.deepEqual(linesOf([...s.stored, rest!]).map((l) => l.msg), ['first', 'last']);
  });

  test('a try whose lines are being stored is left out of the next flush; the other tries are not', async () => {
    const buffer = new LogBuffer(1_000_000);
    const s = recordingStore();
    const a = buffer.writer(A);
    const b = buffer.writer(B);
    a(line('a1'));
    s.hold();
    const first = buffer.flush(s.store);
    a(line('a2'));
    b(line('b1'));
    const calls: LogChunk[][] = [];
    await buffer.flush(async (chunks) => {
      calls.push(chunks);
    });
    assert.deepEqual(calls.map((c) => c.map((x) => x.taskId)), [['b']]);
    s.release();
    await first;
    await buffer.flush(s.store);
    assert.deepEqual(linesOf(s.stored).map((l) => l.msg), ['a1', 'a2']);
  });

  test('lines whose store failed go back in front of the newer ones', async () => {
    const buffer = new LogBuffer(1_000_000);
    const s = recordingStore();
    const write = buffer.writer(A);
    write(line('one'));
    s.failNext();
    await assert.rejects(buffer.flush(s.store), /database unavailable/);
    write(line('two'));
    const rest = await buffer.finish(A);
    assert.deepEqual(linesOf([rest!]).map((l) => l.msg), ['one', 'two']);
  });

  test('a finished try takes no more lines, and a try that wrote nothing has nothing to store', async () => {
    const buffer = new LogBuffer(1_000_000);
    const write = buffer.writer(A);
    buffer.writer(B);
    write(line('during'));
    const rest = await buffer.finish(A);
    write(line('after the try ended'));
    assert.deepEqual(linesOf([rest!]).map((l) => l.msg), ['during']);
    assert.equal(await buffer.finish(A), undefined);
    assert.equal(await buffer.finish(B), undefined);
    const calls: LogChunk[][] = [];
    await buffer.flush(async (chunks) => {
      calls.push(chunks);
    });
    assert.deepEqual(calls, []);
  });
});

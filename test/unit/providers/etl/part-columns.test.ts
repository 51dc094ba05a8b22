import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFields, parseCopyField } from '../../../../src/providers/etl/copy-text.ts';
import { flatValueOf } from '../../../../src/providers/etl/copy-rows.ts';
import { INVALID_DATE_TEXT, type FlatRow, type FlatValue } from '../../../../src/providers/etl/flatten.ts';
import { PartColumns } from '../../../../src/providers/etl/part-columns.ts';

/** Every row through one PartColumns: its lines and what it says about each column. */
function render(rows: FlatRow[], names = Object.keys(rows[0]!)) {
  const columns = new PartColumns(names);
  const lines = rows.map((row) => columns.line(row));
  return { lines, described: Object.fromEntries(columns.describe().map((c) => [c.name, c])) };
}

describe('a part\'s columns', () => {
  test('every kind of value goes through COPY text and comes back as it was', () => {
    const values: Record<string, FlatValue[]> = {
      text: ['plain', 'tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', '', 'Zoë 🦊 日本', 'true', '12'],
      whole: [0, -7, 42, 9007199254740991, -9007199254740991, 1e21],
      fraction: [1.5, -0.25, 1e-7, 123456.789],
      flag: [true, false],
      list: [[1, 'two', null], [], [{ a: 'tab\tin json', b: [true] }], ['back\\slash "quoted"']],
    };
    const count = Math.max(...Object.values(values).map((v) => v.length));
    const rows: FlatRow[] = Array.from({ length: count }, (_, i) =>
      Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list[i] ?? null])));
    const { lines, described } = render(rows);
    for (const [i, line] of lines.entries()) {
      assert.ok(line !== undefined && !line.includes('\n') && !line.includes('\r'), `line ${i} is one line`);
      const fields = copyFields(line);
      assert.equal(fields.length, 5);
      for (const [j, name] of Object.keys(values).entries()) {
        const text = parseCopyField(fields[j]!);
        const back = text === null ? null : flatValueOf(text, described[name]!.kinds);
        assert.deepEqual(back, rows[i]![name], `${name} of row ${i}`);
      }
    }
    assert.deepEqual(described.whole!.kinds, ['integer']);
    assert.deepEqual(described.fraction!.kinds, ['number']);
    assert.deepEqual([described.whole!.min, described.whole!.max], [-9007199254740991, 1e21]);
    assert.equal(described.text!.width, 'carriage\rreturn'.length);
    assert.deepEqual(described.list!.kinds, ['json']);
    assert.equal(described.flag!.nulls, true);
  });

  test('text is escaped the way COPY reads it, NULL is \\N, numbers and booleans are plain', () => {
    const { lines } = render([{ a: 'x\ty\\z', b: null, c: 3.25, d: false, e: ['a\tb'] }]);
    // JSON.stringify writes the tab as \t (backslash, t): COPY text doubles the backslash.
    assert.deepEqual(lines, ['x\\ty\\\\z\t\\N\t3.25\tfalse\t["a\\\\tb"]']);
  });

  test('notes what the load must know: nulls, widths, dates, and text that needs repair', () => {
    const date = '2026-11-23T10:00:00.000Z';
    const { described } = render([
      { id: 'a', at: date, when: date, name: 'ok', odd: 'fine', data: [1] },
      { id: 'b', at: '2026-02-30T10:00:00.000Z', name: 'bad\u0000nul', odd: 'lone \uD800 surrogate', data: ['\u0000'] },
      { id: 'c', at: INVALID_DATE_TEXT, when: date, name: 'already \uFFFD', odd: 'pair 🦊', data: null },
    ]);
    assert.equal(described.when!.dates, true);
    assert.equal(described.when!.nulls, true, 'absent counts as NULL');
    assert.equal(described.at!.dates, false);
    assert.equal(described.id!.dates, false);
    assert.equal(described.name!.repair, true);
    assert.equal(described.odd!.repair, true);
    assert.equal(described.data!.repair, true, 'JSON with \\u0000');
    assert.equal(described.id!.repair, false);
    assert.equal(described.id!.nulls, false);
    assert.equal(render([{ emoji: 'pair 🦊' }]).described.emoji!.repair, false, 'a surrogate pair is fine');
  });

  test('a row with a field the part has no column for is not a line of it', () => {
    const columns = new PartColumns(['a', 'b']);
    assert.equal(columns.line({ a: 1 }), '1\t\\N');
    assert.equal(columns.line({ b: 'x', a: 2 }), '2\tx', 'fields in the part\'s order, whatever the row\'s');
    assert.equal(columns.line({ a: 3, c: 'new' }), undefined);
    assert.equal(columns.line({ a: 4, b: undefined as unknown as FlatValue }), '4\t\\N', 'a field present but undefined is no new column');
    const inherited = new PartColumns(['constructor', 'a']);
    assert.equal(inherited.line({ a: 1 }), '\\N\t1', 'a column named like an inherited method is NULL where the row lacks it');
    assert.equal(inherited.line({ constructor: 'own', a: 2 }), 'own\t2');
    assert.equal(columns.line({ a: NaN, b: Infinity }), '\\N\t\\N', 'numbers JSON has no text for are NULL, as in NDJSON');
    assert.deepEqual(columns.describe()[0], { name: 'a', kinds: ['integer'], nulls: true, width: 1, min: 1, max: 4, dates: false, repair: false });
  });
});

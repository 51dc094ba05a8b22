/**
 * The columns of one COPY text part as its rows arrive (pure): each row becomes one line, its
 * values in their canonical text (the text the load's coercers would start from: strings as
 * they are, numbers as JavaScript prints them, booleans `true`/`false`, arrays as JSON), and
 * each value is noted in its column's description, which the manifest carries so that
 * stage_load can tell, per part and column, whether the values can go to the database as they
 * are. The notes only ever err towards "look at each value": a description that says less
 * than the data allows costs speed, never correctness.
 */
import { copyField, FIELD_SEPARATOR, NULL_FIELD } from './copy-text.ts';
import type { FlatRow, FlatValue } from './flatten.ts';
import type { PartColumn, PartValueKind } from './manifest.ts';
import { isCanonicalTimestamp, needsTextRepair } from './repair.ts';

// Read once: an imported binding is a getter call where tsx compiles modules to CommonJS, and these are used per field.
const SEPARATOR = FIELD_SEPARATOR;
const NULL_TEXT = NULL_FIELD;

const STRING = 1;
const INTEGER = 2;
const NUMBER = 4;
const BOOLEAN = 8;
const JSON_KIND = 16;
const KIND_NAMES: [number, PartValueKind][] = [[STRING, 'string'], [INTEGER, 'integer'], [NUMBER, 'number'], [BOOLEAN, 'boolean'], [JSON_KIND, 'json']];

/** Characters that need escaping or may need repair: one test per string, the exact checks only on a hit. */
const SPECIAL = /[\\\t\n\r\0\uFFFD\uD800-\uDFFF]/;

export class PartColumns {
  readonly names: readonly string[];
  readonly #kinds: number[];
  readonly #nulls: boolean[];
  readonly #widths: number[];
  readonly #min: number[];
  readonly #max: number[];
  readonly #dates: boolean[];
  readonly #repair: boolean[];

  constructor(names: readonly string[]) {
    this.names = [...names];
    const n = names.length;
    this.#kinds = new Array<number>(n).fill(0);
    this.#nulls = new Array<boolean>(n).fill(false);
    this.#widths = new Array<number>(n).fill(0);
    this.#min = new Array<number>(n).fill(Infinity);
    this.#max = new Array<number>(n).fill(-Infinity);
    this.#dates = new Array<boolean>(n).fill(true);
    this.#repair = new Array<boolean>(n).fill(false);
  }

  /**
   * The row as one line of COPY text (no newline), or undefined when the row has a field this
   * part has no column for: the writer then starts a part with more columns. Such a row has
   * been noted already (its fields are counted before they are compared, to keep the common
   * row to one pass), which can only make this part's description more cautious.
   */
  line(row: FlatRow): string | undefined {
    let fields = 0;
    for (const _ in row) fields++;
    let present = 0;
    let text = '';
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      let value: FlatValue | undefined = row[name];
      // A row without a field named like an inherited method (a column "constructor") reads the method.
      if (typeof value === 'function') value = undefined;
      else if (value !== undefined || name in row) present++;
      const field = this.#field(i, value);
      text = i === 0 ? field : text + SEPARATOR + field;
    }
    return present === fields ? text : undefined;
  }

  /** What the manifest says about each column. */
  describe(): PartColumn[] {
    return this.names.map((name, i) => {
      const kinds = KIND_NAMES.filter(([bit]) => (this.#kinds[i]! & bit) !== 0).map(([, kind]) => kind);
      const numbers = (this.#kinds[i]! & (INTEGER | NUMBER)) !== 0;
      return {
        name,
        kinds,
        nulls: this.#nulls[i]!,
        width: this.#widths[i]!,
        ...(numbers ? { min: this.#min[i]!, max: this.#max[i]! } : {}),
        dates: (this.#kinds[i]! & STRING) !== 0 && this.#dates[i]!,
        repair: this.#repair[i]!,
      };
    });
  }

  #field(i: number, value: FlatValue | undefined): string {
    switch (typeof value) {
      case 'string':
        return this.#string(i, value);
      case 'number': {
        // NaN and the infinities are NULL, as they were in JSON (flatten makes them null already).
        if (!Number.isFinite(value)) break;
        const text = String(value);
        this.#kinds[i]! |= Number.isInteger(value) ? INTEGER : NUMBER;
        if (value < this.#min[i]!) this.#min[i] = value;
        if (value > this.#max[i]!) this.#max[i] = value;
        this.#width(i, text.length);
        return text;
      }
      case 'boolean':
        this.#kinds[i]! |= BOOLEAN;
        this.#width(i, value ? 4 : 5);
        return value ? 'true' : 'false';
      case 'object':
        if (value !== null) return this.#json(i, JSON.stringify(value));
        break;
    }
    this.#nulls[i] = true;
    return NULL_TEXT;
  }

  #string(i: number, value: string): string {
    this.#kinds[i]! |= STRING;
    this.#width(i, value.length);
    // Once one string of the column is not a date, the rest need not be checked.
    if (this.#dates[i] && !isCanonicalTimestamp(value)) this.#dates[i] = false;
    if (!SPECIAL.test(value)) return value;
    if (!this.#repair[i] && needsTextRepair(value)) this.#repair[i] = true;
    return copyField(value);
  }

  #json(i: number, json: string): string {
    this.#kinds[i]! |= JSON_KIND;
    this.#width(i, json.length);
    // JSON.stringify writes `\u` only for control characters and unpaired surrogates; jsonb refuses
    // some of them (\u0000), and U+FFFD is counted as a repair: either way, each value is looked at.
    if (!this.#repair[i] && (json.includes('\\u') || json.includes('\uFFFD'))) this.#repair[i] = true;
    return copyField(json);
  }

  #width(i: number, width: number): void {
    if (width > this.#widths[i]!) this.#widths[i] = width;
  }
}

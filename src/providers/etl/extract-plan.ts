/**
 * How one extract splits its window into `_id` ranges read in parallel (pure): how many readers,
 * at which positions of the window's `_id` order to cut, and the `_id` conditions of the ranges.
 *
 * The ranges must be a true partition of the window whatever types its `_id`s have. MongoDB's
 * comparisons bracket by type: `{ _id: { $gte: x } }` matches only `_id`s of x's type (numbers of
 * all BSON types count as one). So every split value is of one bracket, and the first range is
 * "not ≥ the first split", which takes the smaller `_id`s of that bracket and every `_id` of any
 * other type; each later range is "≥ its split and < the next", the last "≥ its split". A
 * document is in exactly one range: of another bracket, only the first; of the splits' bracket,
 * the one between the two splits around it.
 */
import { availableParallelism } from 'node:os';
import type { Document } from 'mongodb';

/**
 * `auto` gives each reader at least this many documents: a thread starts (loads its modules,
 * connects) in a few tenths of a second, and this many documents keep it busy for a second or
 * more, so a window split any finer would spend its gain on starting threads. The shop's
 * customers (200,000) stay one range.
 */
export const MIN_DOCUMENTS_PER_READER = 125_000;
/** `auto` never uses more readers than this: each holds its own clients, parts and flattener. */
export const MAX_AUTO_READERS = 4;

/**
 * The most readers `auto` gives a machine of `cores`: one per two cores. One reader keeps 1.3
 * cores busy, not one: its thread flattens while Node's thread pool gzips its parts, and the
 * source and the object store work for it (in bench:etl, on the same machine). On 2 cores, two
 * readers of the shop's 780,000 orders took 18.4 s where one took 15 to 17 (the other extracts'
 * readers slowed as much), and each thread held 90 MB more: a second reader pays only where a
 * core is left for it.
 */
export function autoReaderLimit(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(Math.floor(cores / 2), MAX_AUTO_READERS));
}

/** How many ranges a window of `documents` is read in. */
export function readersFor(documents: number, setting: number | 'auto', cores: number = availableParallelism()): number {
  if (documents < 2) return 1;
  if (setting !== 'auto') return Math.min(setting, documents);
  return Math.max(1, Math.min(Math.floor(documents / MIN_DOCUMENTS_PER_READER), autoReaderLimit(cores)));
}

/** The positions in `_id` order (0-based, of `documents`) where ranges 2..`readers` start. */
export function splitPositions(documents: number, readers: number): number[] {
  const positions: number[] = [];
  for (let k = 1; k < readers; k++) positions.push(Math.floor((k * documents) / readers));
  return positions;
}

/** The type brackets a split value may be of: those whose values compare by a plain order. */
export type IdBracket = 'number' | 'string' | 'objectId' | 'date';

export function idBracket(value: unknown): IdBracket | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : undefined;
  if (typeof value === 'string') return 'string';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : 'date';
  const bsonType = (value as { _bsontype?: unknown } | null)?._bsontype;
  if (bsonType === 'ObjectId') return 'objectId';
  if (bsonType === 'Long' || bsonType === 'Int32' || bsonType === 'Double') return 'number';
  return undefined;
}

/** One range of a window: its `_id` condition (none: every `_id`) and how logs name it. */
export interface IdRange {
  ids: Document | undefined;
  /** e.g. `2/3 (_id ≥ 65a0…, < 65b1…)` */
  label: string;
}

/**
 * The ranges that `splits` (the `_id`s found at splitPositions, ascending) cut a window into. A
 * split of a bracket other than the most common one's, of a type no bracket covers (null, a
 * document, binary) or equal to the one before is dropped: fewer ranges, never a wrong one.
 */
export function idRanges(splits: readonly unknown[]): IdRange[] {
  const usable = usableSplits(splits);
  const count = usable.length + 1;
  if (count === 1) return [{ ids: undefined, label: '1/1 (every _id)' }];
  return Array.from({ length: count }, (_, i): IdRange => {
    const name = `${i + 1}/${count}`;
    if (i === 0) return { ids: { $not: { $gte: usable[0] } }, label: `${name} (_id < ${keyText(usable[0])}, and _ids of other types)` };
    if (i === count - 1) return { ids: { $gte: usable[i - 1] }, label: `${name} (_id ≥ ${keyText(usable[i - 1])})` };
    return { ids: { $gte: usable[i - 1], $lt: usable[i] }, label: `${name} (_id ≥ ${keyText(usable[i - 1])}, < ${keyText(usable[i])})` };
  });
}

function usableSplits(splits: readonly unknown[]): unknown[] {
  const counts = new Map<IdBracket, number>();
  for (const split of splits) {
    const bracket = idBracket(split);
    if (bracket) counts.set(bracket, (counts.get(bracket) ?? 0) + 1);
  }
  let chosen: IdBracket | undefined;
  for (const [bracket, n] of counts) if (chosen === undefined || n > counts.get(chosen)!) chosen = bracket;
  if (chosen === undefined) return [];
  const usable: unknown[] = [];
  let last: string | undefined;
  for (const split of splits) {
    if (idBracket(split) !== chosen) continue;
    const key = keyText(split);
    if (key === last) continue;
    usable.push(split);
    last = key;
  }
  return usable;
}

/** A split value as text, equal for equal values of one bracket (1 and 1.0, Long 1 and 1). */
function keyText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && 'toHexString' in value) return (value as { toHexString(): string }).toHexString();
  // Int32 and Double wrappers are their number; a Long its decimal digits.
  if (typeof value === 'object' && value !== null && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

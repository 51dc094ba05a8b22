/**
 * The entries of one type bracket of a secondary index (all numbers, or all strings, ...): each a
 * key and the document holding it, sorted by key and then by the document's position in natural
 * order, so equal keys come back in natural order and every entry has one place to be found at.
 * Entries live in sorted chunks of at most MAX_CHUNK: an insert or a removal moves at most a chunk
 * (one sorted array of a million would move megabytes per update), and a range read is two binary
 * searches and a walk. Keys and documents sit in parallel arrays: a chunk of Date keys is a packed
 * array of doubles, 8 bytes an entry, plus the document reference.
 */
import type { StoredDoc } from './store.ts';

/** A value reduced to what orders it within its type bracket (see field-index.ts). */
export type IndexKey = number | bigint | string;
export type KeyCompare = (a: IndexKey, b: IndexKey) => number;

export interface Bound {
  key: IndexKey;
  inclusive: boolean;
}

interface Chunk {
  keys: IndexKey[];
  docs: StoredDoc[];
}

interface Position {
  chunk: number;
  offset: number;
}

const MAX_CHUNK = 2048;

export class IndexEntries {
  private chunks: Chunk[] = [];

  constructor(private readonly compareKeys: KeyCompare) {}

  /**
   * Replaces every entry (an index build). Slot order breaks ties, so the build gives the same
   * order as inserting the entries one by one.
   */
  load(keys: IndexKey[], docs: StoredDoc[]): void {
    const order = keys.map((_, i) => i);
    order.sort((a, b) => this.compareKeys(keys[a]!, keys[b]!) || docs[a]!.slot - docs[b]!.slot);
    this.chunks = [];
    for (let at = 0; at < order.length; at += MAX_CHUNK / 2) {
      const part = order.slice(at, at + MAX_CHUNK / 2);
      this.chunks.push({ keys: part.map((i) => keys[i]!), docs: part.map((i) => docs[i]!) });
    }
  }

  insert(key: IndexKey, doc: StoredDoc): void {
    // No chunk is ever empty: find reads each chunk's last entry.
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], docs: [doc] });
      return;
    }
    let { chunk, offset } = this.seek(key, doc);
    if (chunk === this.chunks.length) {
      chunk--;
      offset = this.chunks[chunk]!.keys.length;
    }
    const target = this.chunks[chunk]!;
    target.keys.splice(offset, 0, key);
    target.docs.splice(offset, 0, doc);
    if (target.keys.length > MAX_CHUNK) {
      const half = target.keys.length >> 1;
      this.chunks.splice(chunk + 1, 0, { keys: target.keys.splice(half), docs: target.docs.splice(half) });
    }
  }

  /** Must be called before the document's slot goes stale (while it still orders its entry). */
  remove(key: IndexKey, doc: StoredDoc): void {
    const { chunk, offset } = this.seek(key, doc);
    const target = this.chunks[chunk];
    if (target?.docs[offset] !== doc) throw new Error(`mongo stand-in: index entry ${String(key)} of document ${doc.idKey} is missing`);
    target.keys.splice(offset, 1);
    target.docs.splice(offset, 1);
    if (target.keys.length === 0) this.chunks.splice(chunk, 1);
  }

  /** The documents of the entries between the bounds (either may be open), in index order. */
  range(lower: Bound | undefined, upper: Bound | undefined): StoredDoc[] {
    const out: StoredDoc[] = [];
    let { chunk, offset } = lower ? this.find((k) => this.belowBound(k, lower)) : { chunk: 0, offset: 0 };
    for (; chunk < this.chunks.length; chunk++, offset = 0) {
      const { keys, docs } = this.chunks[chunk]!;
      for (; offset < keys.length; offset++) {
        if (upper && !this.withinUpper(keys[offset]!, upper)) return out;
        out.push(docs[offset]!);
      }
    }
    return out;
  }

  private belowBound(key: IndexKey, lower: Bound): boolean {
    const c = this.compareKeys(key, lower.key);
    return lower.inclusive ? c < 0 : c <= 0;
  }

  private withinUpper(key: IndexKey, upper: Bound): boolean {
    const c = this.compareKeys(key, upper.key);
    return upper.inclusive ? c <= 0 : c < 0;
  }

  /** Where (key, doc) is or would go. */
  private seek(key: IndexKey, doc: StoredDoc): Position {
    return this.find((k, d) => (this.compareKeys(k, key) || d.slot - doc.slot) < 0);
  }

  /**
   * The first entry for which `before` is false; `before` must hold for a prefix of the entries
   * (true, ..., true, false, ..., false). `chunk` is chunks.length when it holds for all.
   */
  private find(before: (key: IndexKey, doc: StoredDoc) => boolean): Position {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const { keys, docs } = this.chunks[mid]!;
      const last = keys.length - 1;
      if (before(keys[last]!, docs[last]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return { chunk: lo, offset: 0 };
    const { keys, docs } = this.chunks[lo]!;
    let a = 0;
    let b = keys.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (before(keys[mid]!, docs[mid]!)) a = mid + 1;
      else b = mid;
    }
    return { chunk: lo, offset: a };
  }
}

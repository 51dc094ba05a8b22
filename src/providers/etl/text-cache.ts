/**
 * The short strings one column keeps repeating (statuses, currencies, cities, tags), decoded once
 * and then found again by their bytes: making a string from bytes costs more than hashing and
 * comparing a few of them. A column whose values mostly differ (names, e-mails) stops being
 * cached after a sample, so it costs only that sample's hashing.
 */
import { utf8 } from './bson-bytes.ts';

/** Longer strings are rarely repeated exactly; they are decoded every time. */
const MAX_BYTES = 32;
const MAX_ENTRIES = 1024;
/** After this many lookups, a column that found fewer than half its values cached stops caching. */
const SAMPLE = 4096;

export class TextCache {
  readonly #texts = new Map<number, string>();
  #lookups = 0;
  #hits = 0;
  #enabled = true;

  /** The UTF-8 text between two offsets, as `utf8` decodes it. */
  text(bytes: Buffer, start: number, end: number): string {
    if (!this.#enabled || end - start > MAX_BYTES) return utf8(bytes, start, end);
    let hash = end - start;
    let ascii = 0;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      hash = (Math.imul(hash, 31) + byte) | 0;
      ascii |= byte;
    }
    // Only ASCII is cached: its bytes and the string's code units compare one to one.
    if (ascii >= 0x80) return utf8(bytes, start, end);
    if (++this.#lookups === SAMPLE && this.#hits * 2 < SAMPLE) this.#enabled = false;
    const cached = this.#texts.get(hash);
    if (cached !== undefined && sameText(cached, bytes, start, end)) {
      this.#hits++;
      return cached;
    }
    const text = bytes.toString('latin1', start, end);
    if (this.#texts.size < MAX_ENTRIES) this.#texts.set(hash, text);
    return text;
  }
}

function sameText(text: string, bytes: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

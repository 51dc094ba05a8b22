import type { Rng } from './rng.ts';
import type { Address, LoyaltyTier, Zipcode } from './shop-types.ts';
import { CITIES, FIRST_NAMES, ORDER_NOTES, PHONE_PREFIXES, STREET_STYLES, type City, type CountryCode } from './words.ts';

/** Field values shared by the generators and the mutations, so a moved customer looks like a new one. */

/** The warehouse's column limits the overlong bad values are made to exceed. */
export const LIMITS = { customerName: 200, orderNotes: 500 } as const;

/**
 * Of the postcodes that could be stored as numbers (all digits, no leading zero), the share that
 * is: with the cities in words.ts this makes about half of all zipcodes numbers, half strings.
 */
const NUMERIC_ZIPCODE_SHARE = 0.95;

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A whole number of milliseconds in [fromMs, fromMs + spanMs]. */
export function dateIn(rng: Rng, fromMs: number, spanMs: number): Date {
  return new Date(fromMs + Math.floor(rng.next() * (spanMs + 1)));
}

export function zipcodeFor(city: City, rng: Rng): Zipcode {
  let text = '';
  for (const c of city.postcode) {
    if (c === '#') text += String(rng.int(0, 9));
    else if (c === '@') text += String.fromCharCode(65 + rng.int(0, 25));
    else text += c;
  }
  const numeric = /^[1-9][0-9]*$/.test(text);
  // Drawn either way, so whether a postcode could be numeric does not shift the rest of the stream.
  const asNumber = rng.chance(NUMERIC_ZIPCODE_SHARE);
  return numeric && asNumber ? Number(text) : text;
}

export function addressIn(city: City, rng: Rng): Address {
  const style = STREET_STYLES[city.country];
  const street = rng.pick(style.names);
  const house = String(rng.int(1, 180)) + (rng.chance(0.05) ? 'a' : '');
  const line = style.number === 'before' ? `${house} ${street}` : style.number === 'after' ? `${street} ${house}` : `${street}, ${house}`;
  return { street: line, city: city.name, zipcode: zipcodeFor(city, rng), country: city.country };
}

export function randomAddress(rng: Rng): Address {
  return addressIn(rng.pick(CITIES), rng);
}

export function phoneFor(country: CountryCode | string, rng: Rng): string {
  const prefix = PHONE_PREFIXES[country as CountryCode] ?? '+49';
  return `${prefix} ${rng.int(20, 999)} ${rng.int(1_000_000, 9_999_999)}`;
}

const TIER_POINTS: Record<LoyaltyTier, readonly [number, number]> = {
  bronze: [0, 999],
  silver: [1_000, 4_999],
  gold: [5_000, 20_000],
};

export function tierForPoints(points: number): LoyaltyTier {
  return points >= TIER_POINTS.gold[0] ? 'gold' : points >= TIER_POINTS.silver[0] ? 'silver' : 'bronze';
}

export function pointsForTier(tier: LoyaltyTier, rng: Rng): number {
  const [min, max] = TIER_POINTS[tier];
  return rng.int(min, max);
}

/** A note of 600–2000 characters: well past the warehouse's varchar(500). */
export function overlongNote(rng: Rng): string {
  const length = rng.int(600, 2_000);
  let text = '';
  while (text.length < length) text += (text ? ' ' : '') + rng.pick(ORDER_NOTES).replace(/\s+/g, ' ') + '.';
  return text.slice(0, length);
}

/** A name of 201–320 characters, as when a form's free-text field was pasted into by mistake. */
export function overlongName(rng: Rng, lastName: string): string {
  const length = rng.int(LIMITS.customerName + 1, 320);
  let text = '';
  while (text.length + lastName.length + 1 < length) text += (text ? ' ' : '') + rng.pick(FIRST_NAMES);
  return `${text} ${lastName}`;
}

/**
 * An impossible date, as text the way a broken import would store it: days past the month's
 * end ('2026-02-30T10:00:00Z') or months that do not exist ('2026-13-01').
 */
export function impossibleDate(year: number, rng: Rng): string {
  const [month, day] = rng.pick([[2, 30], [2, 31], [4, 31], [6, 31], [9, 31], [11, 31], [13, 1], [0, 15]] as const);
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  if (rng.chance(0.5)) return date;
  return `${date}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`;
}

/** A picker of one of `items`, item i with weight weights[i] (sums computed once: it runs per document). */
export function weightedPicker<T>(items: readonly T[], weights: readonly number[]): (rng: Rng) => T {
  if (items.length === 0 || items.length !== weights.length) throw new RangeError('weightedPicker needs one weight per item');
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push((total += w));
  return (rng) => {
    const r = rng.next() * total;
    for (let i = 0; i < cumulative.length; i++) if (r < (cumulative[i] as number)) return items[i] as T;
    return items[items.length - 1] as T;
  };
}

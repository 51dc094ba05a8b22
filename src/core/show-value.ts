/** A short rendering of a value a user wrote, for error messages ("got …"). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'symbol') return value.toString();
  return 'an object';
}

/** A count for messages: 524161 → "524,161", the same on every machine. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

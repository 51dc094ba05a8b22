/**
 * Sizes in bytes as people write them in settings: `1048576`, `512KB`, `20MB`, `1.5MiB`. Both
 * families mean what their standards say (KB = 1000 bytes, KiB = 1024), so a limit is exactly the
 * number of bytes its name suggests, whichever family the user reaches for.
 */
import { formatCount, showValue } from './show-value.ts';

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*(b|kb|mb|gb|kib|mib|gib)?$/i;
const ACCEPTED = "write a number of bytes (1048576) or a number with a unit: '512KB', '20MB', '1GiB' (KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024)";

/** Bytes (rounded down to a whole byte) from `text`; `where` names the setting so the error says what to fix. */
export function parseByteSize(text: string, where: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new Error(`${where}: ${showValue(text)} is not a size; ${ACCEPTED}`);
  const [, amount, unit] = match;
  return Math.floor(Number(amount) * UNIT_BYTES[(unit ?? 'b').toLowerCase()]!);
}

// A size shows in the first of these units that divides it exactly: the largest magnitude, and of
// a magnitude's two units the SI one, so 256000 reads "256 KB" as written rather than "250 KiB".
const DISPLAY_UNITS: [string, number][] = [
  ['GB', 1_000_000_000],
  ['GiB', 1_073_741_824],
  ['MB', 1_000_000],
  ['MiB', 1_048_576],
  ['KB', 1_000],
  ['KiB', 1_024],
];

/** A size for messages, exact: 20000000 → "20 MB", 65536 → "64 KiB", 1234567 → "1,234,567 bytes". */
export function formatByteSize(bytes: number): string {
  const unit = exactUnit(bytes);
  if (unit) return `${formatCount(bytes / unit[1])} ${unit[0]}`;
  return bytes === 1 ? '1 byte' : `${formatCount(bytes)} bytes`;
}

/** A size as a setting's value that parseByteSize reads back: 20000000 → "20MB", 1234567 → "1234567". */
export function byteSizeSetting(bytes: number): string {
  const unit = exactUnit(bytes);
  return unit ? `${bytes / unit[1]}${unit[0]}` : String(bytes);
}

function exactUnit(bytes: number): [string, number] | undefined {
  return bytes > 0 ? DISPLAY_UNITS.find(([, size]) => bytes % size === 0) : undefined;
}

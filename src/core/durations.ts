import { showValue } from './show-value.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

const ACCEPTED = "use a number of milliseconds or a string like '250ms', '10s', '5m', '2h', '1d'";
// One or more "<number><unit>" parts, so '1h 30m' reads as a person would expect.
const WHOLE = /^(?:\d+(?:\.\d+)?|\.\d+)\s*(?:ms|s|m|h|d)(?:\s*(?:\d+(?:\.\d+)?|\.\d+)\s*(?:ms|s|m|h|d))*$/;
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)/g;

/**
 * Milliseconds from a duration as users write them (README, "Writing a DAG"). `where` names the option
 * ("retryDelay of task \"load\"") so the error says what to fix.
 */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${showValue(value)} is not a duration; ${ACCEPTED}`);
    if (value < 0) throw new Error(`${where}: ${value} is negative; a duration must be 0 or more (${ACCEPTED})`);
    return Math.round(value);
  }
  if (typeof value !== 'string') throw new Error(`${where}: ${showValue(value)} is not a duration; ${ACCEPTED}`);
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    throw new Error(`${where}: ${showValue(value)} has no unit; write '${text}ms' or '${text}s', or pass the number ${text} for milliseconds`);
  }
  if (text.startsWith('-')) throw new Error(`${where}: ${showValue(value)} is negative; a duration must be 0 or more (${ACCEPTED})`);
  if (!WHOLE.test(text)) throw new Error(`${where}: ${showValue(value)} is not a duration; ${ACCEPTED}`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as Unit];
  return Math.round(total);
}

/** A duration for people: '850ms', '12.3s', '4m 05s', '2h 03m', '3d 4h'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1_000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1).replace(/\.0$/, '')}s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1_440) return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
  const hours = Math.round(ms / 3_600_000);
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

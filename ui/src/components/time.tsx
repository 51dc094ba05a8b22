/** Times in the chosen zone with both zones on hover; durations people can read. */
import { useNow } from '../hooks.ts';
import { describeInstant, elapsedMs, formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import { usePrefs } from '../prefs.tsx';

export function Time({ iso, seconds = true, empty = '—' }: { iso: string | null | undefined; seconds?: boolean; empty?: string }) {
  const { zone } = usePrefs();
  if (!iso) return <span class="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={describeInstant(iso)} class="nowrap">
      {formatDateTime(iso, zone, seconds)}
    </time>
  );
}

/** '3 min ago', ticking; the exact time in both zones on hover. */
export function Relative({ iso, empty = '—' }: { iso: string | null | undefined; empty?: string }) {
  const now = useNow(5000);
  if (!iso) return <span class="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={describeInstant(iso)} class="nowrap">
      {formatRelative(iso, now)}
    </time>
  );
}

export function Duration({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <span class="muted">—</span>;
  return <span class="nowrap num">{formatDuration(ms)}</span>;
}

/** The time from start to end, or to now (ticking) while it has not ended. */
export function Elapsed({ start, end }: { start: string | null | undefined; end: string | null | undefined }) {
  const now = useNow(1000, !end);
  const ms = elapsedMs(start, end, now);
  if (ms === null) return <span class="muted">—</span>;
  return <span class={`nowrap num${end ? '' : ' live'}`}>{formatDuration(ms)}</span>;
}

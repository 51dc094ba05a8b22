/** "1–25 of 120" with older/newer buttons, for lists the API pages with limit and offset. */
import { plural } from '../lib/format.ts';

export function Pager({
  offset,
  limit,
  total,
  noun,
  onOffset,
}: {
  offset: number;
  limit: number;
  total: number;
  noun: string;
  onOffset: (offset: number) => void;
}) {
  if (total <= limit && offset === 0) return <span class="muted small">{plural(total, noun)}</span>;
  return (
    <span class="pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        ← Previous
      </button>
      <span class="muted small">
        {total === 0 ? `no ${noun}s` : `${Math.min(offset + 1, total)}–${Math.min(offset + limit, total)} of ${plural(total, noun)}`}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
        Next →
      </button>
    </span>
  );
}

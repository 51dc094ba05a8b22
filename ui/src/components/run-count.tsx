/**
 * How many of a DAG's latest runs a view shows: 25, 50, 100 or 365, kept in the address (`?runs=`)
 * so the grid and the task-duration chart share it and a link keeps it.
 */
import { useSearchParam } from '../router.tsx';

const RUN_COUNTS = ['25', '50', '100', '365'] as const;
const DEFAULT = '25';

/** The count chosen (25 unless the address names another of the choices) and a setter. */
export function useRunCount(): [number, (count: string) => void] {
  const [param, setParam] = useSearchParam('runs');
  const limit = (RUN_COUNTS as readonly string[]).includes(param ?? '') ? Number(param) : Number(DEFAULT);
  return [limit, (count) => setParam(count === DEFAULT ? null : count)];
}

export function RunCountSelect({ limit, onChange }: { limit: number; onChange: (count: string) => void }) {
  return (
    <label class="inline">
      Runs
      <select value={String(limit)} onChange={(e) => onChange(e.currentTarget.value)}>
        {RUN_COUNTS.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

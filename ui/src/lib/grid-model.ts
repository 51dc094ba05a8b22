/** The grid's arithmetic: run bar heights and keyboard movement. Pure, and unit-tested. */

export const BAR_MIN_PX = 4;
export const BAR_MAX_PX = 40;

interface TimedRun {
  startDate: string | null;
  endDate: string | null;
}

/**
 * Each run's bar height, proportional to how long it took (or has taken so far) against the
 * longest shown, as Airflow's grid draws them. A run that has not started gets the minimum.
 */
export function runBarHeights(runs: readonly TimedRun[], now: number): number[] {
  const durations = runs.map((run) => {
    if (!run.startDate) return 0;
    const end = run.endDate ? Date.parse(run.endDate) : now;
    return Math.max(0, end - Date.parse(run.startDate));
  });
  const longest = Math.max(0, ...durations);
  if (longest === 0) return durations.map(() => BAR_MIN_PX);
  return durations.map((d) => Math.round(BAR_MIN_PX + (BAR_MAX_PX - BAR_MIN_PX) * (d / longest)));
}

export interface CellPosition {
  row: number;
  col: number;
}

/** Where an arrow, Home/End or PageUp/PageDown key moves the focus; null for other keys. */
export function moveInGrid(from: CellPosition, key: string, rows: number, cols: number): CellPosition | null {
  if (rows === 0 || cols === 0) return null;
  const clamp = (value: number, size: number) => Math.min(size - 1, Math.max(0, value));
  const page = 10;
  switch (key) {
    case 'ArrowUp':
      return { row: clamp(from.row - 1, rows), col: from.col };
    case 'ArrowDown':
      return { row: clamp(from.row + 1, rows), col: from.col };
    case 'ArrowLeft':
      return { row: from.row, col: clamp(from.col - 1, cols) };
    case 'ArrowRight':
      return { row: from.row, col: clamp(from.col + 1, cols) };
    case 'Home':
      return { row: from.row, col: 0 };
    case 'End':
      return { row: from.row, col: cols - 1 };
    case 'PageUp':
      return { row: clamp(from.row - page, rows), col: from.col };
    case 'PageDown':
      return { row: clamp(from.row + page, rows), col: from.col };
    default:
      return null;
  }
}

interface CellContent {
  state: string;
  tryNumber: number;
  maxTries: number;
  durationMs: number | null;
  /** A mapped task's counts by state: its split bar and title change while its state does not. */
  mapped?: { count: number; states: Partial<Record<string, number>> };
}

/** A short signature of what a cell shows (its colour, its tooltip, a mapped task's split bar). */
export function cellSignature(cell: CellContent | undefined): string {
  if (!cell) return '-';
  const plain = `${cell.state}.${cell.tryNumber}.${cell.maxTries}.${cell.durationMs ?? ''}`;
  if (!cell.mapped) return plain;
  return `${plain}.${Object.entries(cell.mapped.states)
    .map(([state, count]) => `${state}${count}`)
    .join(',')}`;
}

/** The same for a run's column of cells, so an untouched column is skipped without looking at its cells. */
export function cellsSignature(cells: readonly (CellContent | undefined)[]): string {
  return cells.map(cellSignature).join('|');
}

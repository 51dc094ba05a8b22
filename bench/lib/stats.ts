/** Percentiles and number formatting shared by the scenarios. */

/** Nearest-rank percentile (p in 0..100) of the values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN,
  };
}

export const ms = (value: number, digits = 1): string => `${value.toFixed(digits)} ms`;
export const seconds = (valueMs: number, digits = 2): string => `${(valueMs / 1000).toFixed(digits)} s`;
export const perSecond = (count: number, windowMs: number): number => (count * 1000) / windowMs;
export const rate = (value: number, unit = 'tasks/s'): string => `${Math.round(value).toLocaleString('en-US')} ${unit}`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The result table: rows with an optional target, rendered as Markdown for stdout and the README. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Target {
  /** `max`: the value must not exceed the bound; `min`: it must reach it. */
  kind: 'max' | 'min';
  bound: number;
  /** How the bound reads in the table, e.g. "≤ 5 ms". */
  label: string;
}

export interface ResultRow {
  scenario: string;
  metric: string;
  value: string;
  /** The measured number the target is judged on (same unit as the bound). */
  measured?: number;
  target?: Target;
  /** A correctness check that failed (tasks that did not succeed, say): shown as FAILED. */
  failure?: string;
}

export const atMost = (bound: number, unit: string): Target => ({ kind: 'max', bound, label: `≤ ${bound.toLocaleString('en-US')} ${unit}` });
export const atLeast = (bound: number, unit: string): Target => ({ kind: 'min', bound, label: `≥ ${bound.toLocaleString('en-US')} ${unit}` });

/** "ok", or "MISSED" with measured ÷ target (above 1 for a too-slow maximum, below 1 for a too-low minimum). */
export function verdict(row: ResultRow): string {
  if (row.failure) return `FAILED: ${row.failure}`;
  if (!row.target || row.measured === undefined) return '';
  const { kind, bound } = row.target;
  if (!Number.isFinite(row.measured)) return 'MISSED (no measurement)';
  const met = kind === 'max' ? row.measured <= bound : row.measured >= bound;
  const ratio = row.measured / bound;
  return met ? 'ok' : `MISSED (${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}× the target)`;
}

export function missedRows(rows: ResultRow[]): ResultRow[] {
  return rows.filter((r) => verdict(r).startsWith('MISSED'));
}

export function failedRows(rows: ResultRow[]): ResultRow[] {
  return rows.filter((r) => r.failure !== undefined);
}

export interface MachineInfo {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memory: string;
  postgres: string;
  redis: string;
  commit: string;
  /** /proc/loadavg when the run started: other work on the machine skews every number. */
  loadAverage: string;
}

export function machineInfo(postgres: string, redis: string): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: os.cpus() said it
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'workers'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (dirty.trim()) commit += ' (engine has uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu,
    cores: os.availableParallelism(),
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    postgres,
    redis,
    commit,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

export function renderHeader(info: MachineInfo): string {
  return [
    `Date: ${info.date}`,
    `Node: ${info.node}   CPU: ${info.cpu}   Cores: ${info.cores}   Memory: ${info.memory}`,
    `PostgreSQL: ${info.postgres}   Redis: ${info.redis}   Commit: ${info.commit}`,
    `Load average when the run started (1/5/15 min): ${info.loadAverage}`,
  ].join('\n');
}

/** A Markdown table padded so that it also reads well in a terminal. */
export function renderTable(rows: ResultRow[]): string {
  const header = ['Scenario', 'Metric', 'Value', 'Target', 'Result'];
  const body = rows.map((r) => [r.scenario, r.metric, r.value, r.target?.label ?? '', verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

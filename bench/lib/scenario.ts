import type { ResultRow } from './report.ts';
import type { SluiceCluster } from './processes.ts';

export interface ScenarioContext {
  /** --concurrency of each of the two worker processes. */
  concurrency: number;
  /** A progress line on stderr (stdout is kept for the table). */
  progress(message: string): void;
}

export interface Scenario {
  id: string;
  title: string;
  /** Run only when named (`npm run bench -- etl`), not by a full `npm run bench`. */
  optIn?: boolean;
  run(ctx: ScenarioContext): Promise<ResultRow[]>;
}

/** Stops the cluster and turns whatever its processes logged (they run at warn level) into a row. */
export async function stopClusterAndReport(cluster: SluiceCluster, scenario: string, ctx: ScenarioContext): Promise<ResultRow[]> {
  await cluster.stop();
  const processes = [cluster.scheduler, ...cluster.workers];
  const logged = processes.filter((p) => p.lines.length > 0);
  if (logged.length === 0) return [];
  for (const p of logged) {
    ctx.progress(`${scenario}: ${p.name} logged ${p.lines.length} line(s) at warn or above, e.g.\n  ${p.lines.slice(0, 3).join('\n  ')}`);
  }
  const total = logged.reduce((n, p) => n + p.lines.length, 0);
  return [{ scenario, metric: 'engine warnings/errors logged', value: `${total} line(s) (see stderr)` }];
}

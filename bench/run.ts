/**
 * `npm run bench [-- scenario...]`: runs the scenarios (all by default), prints the result table
 * and, after a full run, writes it into bench/README.md. See bench/README.md for what each
 * scenario measures.
 */
import { destroyAllEnvironments, leftovers, RUN_ID, serverVersions } from './lib/env.ts';
import { assertChildrenAlive, killAllChildren } from './lib/processes.ts';
import { failedRows, machineInfo, missedRows, renderHeader, renderTable, verdict, type ResultRow } from './lib/report.ts';
import { writeReadmeResults } from './lib/readme.ts';
import type { Scenario, ScenarioContext } from './lib/scenario.ts';
import { setHealthCheck } from './lib/wait.ts';
import { chainScenario } from './scenarios/chain.ts';
import { fanoutScenario } from './scenarios/fanout.ts';
import { backfillScenario } from './scenarios/backfill.ts';
import { dagFolderScenario } from './scenarios/dag-folder.ts';
import { uiGridScenario } from './scenarios/ui-grid.ts';
import { etlScenario } from './scenarios/etl.ts';
import { mappedScenario } from './scenarios/mapped.ts';
import { sensorsScenario } from './scenarios/sensors.ts';
import { assetsScenario } from './scenarios/assets.ts';

const SCENARIOS: Scenario[] = [chainScenario, fanoutScenario, backfillScenario, dagFolderScenario, uiGridScenario, etlScenario, mappedScenario, sensorsScenario, assetsScenario];
/** What a full run (no scenario named) runs: every scenario that is not opt-in. */
const DEFAULT_SCENARIOS = SCENARIOS.filter((s) => !s.optIn);

const started = Date.now();
const progress = (message: string) => {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
};

function selectScenarios(args: string[]): Scenario[] {
  if (args.length === 0) return DEFAULT_SCENARIOS;
  const unknown = args.filter((a) => !SCENARIOS.some((s) => s.id === a));
  if (unknown.length) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.id).join(', ')}\n`);
    process.exit(2);
  }
  return SCENARIOS.filter((s) => args.includes(s.id));
}

function concurrencyFromEnv(): number {
  const value = Number(process.env.BENCH_CONCURRENCY ?? '16');
  if (!Number.isInteger(value) || value < 1 || value > 16) {
    process.stderr.write(`BENCH_CONCURRENCY must be an integer from 1 to 16 (the worker's own limit), got "${process.env.BENCH_CONCURRENCY}"\n`);
    process.exit(2);
  }
  return value;
}

// A signal or a crash still removes the databases, keys and processes of this run. Once it has
// started, the normal path must not exit under it, so both wait for this one promise.
let emergency: Promise<never> | undefined;
const cleanUpAndExit = (why: string, code: number): Promise<never> => {
  emergency ??= (async () => {
    progress(`${why}: cleaning up`);
    await killAllChildren();
    await destroyAllEnvironments();
    const left = await leftovers().catch((error: Error) => [`(could not check: ${error.message})`]);
    if (left.length) progress(`LEFT BEHIND: ${left.join('; ')}`);
    process.exit(code);
  })();
  return emergency;
};
process.once('SIGINT', () => void cleanUpAndExit('interrupted', 130));
process.once('SIGTERM', () => void cleanUpAndExit('terminated', 143));
process.on('uncaughtException', (error) => {
  console.error(error);
  void cleanUpAndExit('uncaught exception', 1);
});

async function main(): Promise<number> {
  const scenarios = selectScenarios(process.argv.slice(2));
  const ctx: ScenarioContext = { concurrency: concurrencyFromEnv(), progress };
  setHealthCheck(assertChildrenAlive);
  const versions = await serverVersions();
  const info = machineInfo(versions.postgres, versions.redis);
  progress(`run ${RUN_ID}: ${scenarios.map((s) => s.id).join(', ')}; 2 worker processes × concurrency ${ctx.concurrency}`);
  const rows: ResultRow[] = [];
  let failed = 0;
  for (const scenario of scenarios) {
    if (emergency) await emergency;
    const t0 = Date.now();
    progress(`${scenario.id}: ${scenario.title}`);
    try {
      rows.push(...(await scenario.run(ctx)));
      progress(`${scenario.id}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      if (emergency) await emergency; // the signal, not the scenario, made it fail
      failed++;
      console.error(error);
      rows.push({ scenario: scenario.title, metric: 'FAILED', value: (error as Error).message.split('\n')[0]! });
    }
  }
  if (emergency) await emergency;
  await destroyAllEnvironments();
  const left = await leftovers();
  if (left.length) {
    failed++;
    progress(`LEFT BEHIND: ${left.join('; ')}`);
  }
  const totalS = (Date.now() - started) / 1000;
  const header = renderHeader(info);
  const table = renderTable(rows);
  const missed = missedRows(rows);
  if (failedRows(rows).length) failed++;
  const summary = [
    failed ? `${failed} scenario(s) FAILED or left something behind (see stderr).` : '',
    missed.length
      ? `Missed targets: ${missed.map((r) => `${r.scenario} ${r.metric} ${verdict(r).replace('MISSED ', '')}`).join('; ')}`
      : failed ? '' : 'Every target met.',
  ].filter(Boolean).join('\n');
  process.stdout.write(`\n${header}\nWorkers: 2 processes × --concurrency ${ctx.concurrency}   Bench wall time: ${totalS.toFixed(0)} s\n\n${table}\n\n${summary}\n`);
  if (scenarios === DEFAULT_SCENARIOS && failed === 0) {
    await writeReadmeResults({ header, table, summary, concurrency: ctx.concurrency, wallTimeS: totalS });
    progress('bench/README.md updated');
  } else {
    progress('bench/README.md not updated (only a full, successful run writes it)');
  }
  return failed ? 1 : 0;
}

main().then(
  async (code) => {
    if (emergency) await emergency;
    process.exit(code);
  },
  async (error: unknown) => {
    console.error(error);
    await cleanUpAndExit('failed', 1);
  },
);

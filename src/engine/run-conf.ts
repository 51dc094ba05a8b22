/**
 * A run's conf against its DAG's typed params, checked where a run is made with one (a manual
 * run, a backfill, `sluice dags test`), so that a run that cannot be right is never created.
 * Scheduled runs take the defaults, which param() checked when the DAG file was parsed.
 */
import { confProblems, paramSpecs } from '../core/params.ts';
import type { DagSpec } from '../core/spec.ts';
import { invalidConf } from '../errors.ts';

/** Throws an `invalid_conf` error (API 400, CLI exit 2) naming each param the conf gets wrong and the rule. */
export function requireValidConf(spec: DagSpec, conf: Record<string, unknown>): void {
  // Without typed params every param takes any value, and none is required.
  if (!spec.paramSchemas) return;
  const problems = confProblems(spec.dagId, paramSpecs(spec), conf);
  if (problems.length > 0) throw invalidConf(problems.map((p) => p.message).join('; '));
}

/**
 * `sluice/operators`: ready-made task functions for DAG files, used as the function of a task:
 * `d.task('kick', { retries: 2 }, triggerDag('orders_daily', { waitForCompletion: true }))`. Each
 * checks its options when called (while the DAG file is parsed), so a typo is an import error.
 */
export { triggerDag, type TriggerDagOptions, type TriggerDagResult } from './trigger-dag.ts';

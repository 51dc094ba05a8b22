/** A DAG's options as its file sets them, and each task's settings. */
import type { ComponentChild } from 'preact';
import { formatByteSize } from '../../../src/core/sizes.ts';
import { formatDuration } from '../lib/format.ts';
import { AssetSchedule } from '../components/asset-schedule.tsx';
import { Time } from '../components/time.tsx';
import { choiceLabel, ruleHint } from '../lib/param-form.ts';
import type { DagDetail } from '../types.ts';

const ms = (value: number | null) => (value === null ? '—' : formatDuration(value));

/** Each param with its default, its rules and what it is for. */
function ParamsTable({ params }: { params: DagDetail['params'] }) {
  return (
    <table class="table dense">
      <thead>
        <tr>
          <th>Param</th>
          <th>Default</th>
          <th>Rules</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(params).map(([name, param]) => {
          const { schema } = param;
          const rules = [
            schema.type,
            schema.enum && `one of ${schema.enum.map(choiceLabel).join(', ')}`,
            schema.format,
            ruleHint(param),
          ].filter(Boolean);
          return (
            <tr key={name}>
              <th scope="row" class="mono">
                {name}
              </th>
              <td class="mono">{Object.hasOwn(param, 'default') ? JSON.stringify(param.default) : <span class="muted">none</span>}</td>
              <td>{rules.join('; ')}</td>
              <td>{schema.description ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function DagDetails({ dag }: { dag: DagDetail }) {
  const options: [string, ComponentChild][] = [
    ['schedule', dag.assetSchedule ? <AssetSchedule uris={dag.assetSchedule} /> : dag.schedule ? <code>{dag.schedule}</code> : 'none (manual only)'],
    ['timezone', dag.timezone],
    ['startDate', <Time iso={dag.startDate} />],
    ['endDate', <Time iso={dag.endDate} empty="none" />],
    ['catchup', String(dag.catchup)],
    ['maxActiveRuns', dag.maxActiveRuns],
    ['maxActiveTasks', dag.maxActiveTasks],
    ['dagrunTimeout', ms(dag.dagrunTimeoutMs)],
    ['isPaused', String(dag.isPaused)],
    ['fileloc', <span class="mono">{dag.fileloc}</span>],
    ['last parsed', <Time iso={dag.lastParsedAt} />],
  ];
  return (
    <div class="details-grid">
      <section>
        <h2>Options</h2>
        <table class="table kv">
          <tbody>
            {options.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" class="mono">
                  {key}
                </th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Params</h2>
        {Object.keys(dag.params).length === 0 ? <p class="muted">No params.</p> : <ParamsTable params={dag.params} />}
      </section>
      <section>
        <h2>Tasks ({dag.tasks.length})</h2>
        <div class="scroll-x">
          <table class="table dense">
            <thead>
              <tr>
                <th>Task</th>
                <th>Upstream</th>
                <th>Trigger rule</th>
                <th>Retries</th>
                <th>Retry delay</th>
                <th>Timeout</th>
                <th>Memory</th>
                <th>Pool</th>
                <th>Queue</th>
                <th>Priority</th>
              </tr>
            </thead>
            <tbody>
              {dag.tasks.map((t) => (
                <tr key={t.taskId}>
                  <td class="mono">{t.taskId}</td>
                  <td class="mono small">{t.upstream.join(', ') || '—'}</td>
                  <td>{t.triggerRule}</td>
                  <td class="num">{t.retries}</td>
                  <td>
                    {ms(t.retryDelayMs)}
                    {t.retryExponentialBackoff && <span class="muted small"> ×2 up to {ms(t.maxRetryDelayMs)}</span>}
                  </td>
                  <td>{ms(t.executionTimeoutMs)}</td>
                  <td>{t.memoryLimitBytes === null ? '—' : formatByteSize(t.memoryLimitBytes)}</td>
                  <td>
                    {t.pool}
                    {t.poolSlots !== 1 && <span class="muted small"> ×{t.poolSlots}</span>}
                  </td>
                  <td>{t.queue}</td>
                  <td class="num">{t.priorityWeight}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

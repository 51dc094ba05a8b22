/**
 * A DAG file that imports 'sluice/notifiers' parses wherever DAG code is loaded: from a DAGs
 * folder outside this package (no self-reference to lean on), in a process running Sluice's
 * TypeScript (the CLI, the scheduler under tsx) and in one running Sluice's own bundle with plain
 * Node (a runner, a bundled worker or parser). A package of the folder's node_modules that imports
 * 'sluice/notifiers' itself gets the very module the DAG's code gets. A notifier with bad options
 * is an import error naming the file and line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outsideDagsFolder } from '../../support/outside-dags-folder.ts';

const FILES: Record<string, string> = {
  // The notifiers' kinds and descriptions end up in the spec, so the test sees they were made.
  'notified.ts': `
import { dag } from 'sluice';
import { email, slack, webhook } from 'sluice/notifiers';
import { sameNotifiers } from 'team-alerts';

const alerts = [
  slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/s3cr3t', channel: '#alerts' }),
  email({ to: 'ops@example.com' }),
  webhook({ url: 'https://alerts.example.com/hook' }),
];
const d = dag('notified', {
  tags: alerts.map((n) => n.notifier.kind),
  description: alerts.map((n) => n.notifier.describe).join('; ') + ' / ' + sameNotifiers(webhook),
});
d.task('work', async () => 1);
export default d;
`,
  'bad_notifier.ts': `
import { dag } from 'sluice';
import { slack } from 'sluice/notifiers';

const alert = slack({ webhookUrl: process.env.SLUICE_TEST_UNSET_SLACK_URL });
export default dag('bad_notifier', { description: String(alert) });
`,
  // A team's library of callbacks: its import of 'sluice/notifiers' must be the DAG's one.
  'node_modules/team-alerts/package.json': JSON.stringify({ name: 'team-alerts', version: '1.0.0', type: 'module', exports: './index.js' }),
  'node_modules/team-alerts/index.js': [
    "import { webhook } from 'sluice/notifiers';",
    "export const sameNotifiers = (fromDag) => (fromDag === webhook ? 'same notifiers' : 'other notifiers');",
    '',
  ].join('\n'),
};

const EXPECTED_TAGS = ['slack', 'email', 'webhook'];
const EXPECTED_DESCRIPTION = 'slack → #alerts; email → ops@example.com; webhook → alerts.example.com / same notifiers';


describe("DAG files importing 'sluice/notifiers'", { timeout: 120_000 }, () => {
  const dags = outsideDagsFolder('notifiers-import', FILES);

  it('parse in a process running the TypeScript sources', async () => {
    assert.deepEqual(await dags.summary('notified.ts'), { kind: 'dag', tags: EXPECTED_TAGS, description: EXPECTED_DESCRIPTION });
  });

  it('parse in a plain Node process running Sluice bundled, as runners and bundled workers do', async () => {
    assert.deepEqual(await dags.summaryBundled('notified.ts'), { kind: 'dag', tags: EXPECTED_TAGS, description: EXPECTED_DESCRIPTION });
  });

  it('a notifier with bad options is an import error with the file, the line and what to fix', async () => {
    const outcome = await dags.parse('bad_notifier.ts');
    assert.equal(outcome.kind, 'error');
    assert.match(
      (outcome as { message: string }).message,
      /^slack\(\): webhookUrl is missing: pass the Slack incoming webhook's URL, e\.g\. slack\(\{ webhookUrl: process\.env\.SLACK_URL \}\).* \(line 5/,
    );
  });
});

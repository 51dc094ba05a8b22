/** ctx.connection() / ctx.variable() answered from an environment of the test's own alone, with no metadata database. */
import { SecretBox } from '../../src/engine/secret-box.ts';
import { taskSecrets, type TaskSecrets } from '../../src/engine/task-secrets.ts';

export function envSecrets(env: NodeJS.ProcessEnv = {}): TaskSecrets {
  return taskSecrets(null, new SecretBox({ current: undefined, previous: [] }), env);
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliActor } from '../../../src/cli/actor.ts';

test('the CLI actor is cli:<os user>, from the environment when the user has no passwd entry', () => {
  assert.equal(cliActor({}, () => 'maria'), 'cli:maria');
  const noEntry = () => {
    throw Object.assign(new Error('ENOENT: no such file or directory, uv_os_get_passwd'), { code: 'ENOENT' });
  };
  assert.equal(cliActor({ USER: 'deploy' }, noEntry), 'cli:deploy');
  assert.equal(cliActor({ LOGNAME: 'ops' }, noEntry), 'cli:ops');
  assert.match(cliActor({}, noEntry), /^cli:(uid-\d+|unknown)$/);
});

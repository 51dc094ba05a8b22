import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, apiUsers, loadConfig } from '../../../src/config.ts';
import { parseApiTokens } from '../../../src/core/api-tokens.ts';
import { roleAllows, rolesAllowed } from '../../../src/core/roles.ts';

describe('SLUICE_API_TOKENS', () => {
  test('name:token:role entries, after the admin of SLUICE_API_TOKEN', () => {
    const config = loadConfig({ SLUICE_API_TOKEN: 'root', SLUICE_API_TOKENS: ' alice:t1:admin, ci:t2:operator,dash:t3:viewer ' });
    assert.deepEqual(apiUsers(config), [
      { name: 'admin', token: 'root', role: 'admin' },
      { name: 'alice', token: 't1', role: 'admin' },
      { name: 'ci', token: 't2', role: 'operator' },
      { name: 'dash', token: 't3', role: 'viewer' },
    ]);
    assert.deepEqual(apiUsers(loadConfig({})), []);
  });

  test('each mistake names the entry and what is wrong, never the token', () => {
    const bad: [string | undefined, string, RegExp][] = [
      [undefined, 'alice:t1', /entry 1 has 2 parts separated by ":", not 3.*name:token:role/],
      [undefined, 'alice:t1:admin,,ci:t2:viewer', /entry 2 is empty/],
      [undefined, 'alice:t1:root', /entry 1 \(user "alice"\) has the role "root"; the roles are viewer, operator, admin/],
      [undefined, 'alice::admin', /entry 1 \(user "alice"\) has an empty token/],
      [undefined, 'alice:t1:admin,alice:t2:viewer', /entry 2: the name "alice" is taken already/],
      [undefined, 'alice:secret1:admin,bob:secret1:viewer', /entry 2 \(user "bob"\) has the same token as the user "alice"/],
      ['secret1', 'bob:secret1:viewer', /same token as the user "admin" \(SLUICE_API_TOKEN\)/],
      ['root', 'admin:t1:viewer', /the name "admin" is taken already \(SLUICE_API_TOKEN is the user "admin"\)/],
      [undefined, 'al ice:t1:admin', /the name "al ice" must be/],
    ];
    for (const [single, text, message] of bad) {
      assert.throws(() => parseApiTokens(text, single), (e: Error) => message.test(e.message) && !/secret1/.test(e.message), text);
    }
    assert.throws(() => loadConfig({ SLUICE_API_TOKENS: 'x' }), ConfigError);
  });

  test('a role may do what the roles below it may', () => {
    assert.ok(roleAllows('admin', 'operator') && roleAllows('operator', 'operator') && !roleAllows('viewer', 'operator'));
    assert.deepEqual(rolesAllowed('operator'), ['operator', 'admin']);
  });
});

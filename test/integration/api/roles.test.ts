/**
 * Users and roles: every operation of the OpenAPI document, called by a viewer, an operator and an
 * admin, lets exactly the roles the contract allows past authorization and answers the others 403
 * forbidden. The expected role of each operation is written here from the contract, not read from
 * the route, so a route declared with the wrong role fails, and so does a route this table lacks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Role } from '../../../src/core/roles.ts';
import { ApiFixture, client } from '../../support/api-fixture.ts';

/** operationId → the least role allowed (README, "Users and roles"). */
const EXPECTED: Record<string, Role> = {
  getHealth: 'viewer',
  listDags: 'viewer',
  getDag: 'viewer',
  patchDag: 'operator',
  listImportErrors: 'viewer',
  listDagVersions: 'viewer',
  getDagVersionSource: 'viewer',
  listDagRuns: 'viewer',
  triggerDagRun: 'operator',
  getDagRun: 'viewer',
  markDagRun: 'operator',
  listTriggeredDagRuns: 'viewer',
  listCallbacks: 'viewer',
  getCallbackLog: 'viewer',
  getGrid: 'viewer',
  listTaskInstances: 'viewer',
  listRunTries: 'viewer',
  listTaskDurations: 'viewer',
  getTaskInstance: 'viewer',
  markTaskInstance: 'operator',
  listTaskInstanceTries: 'viewer',
  getTaskInstanceLog: 'viewer',
  getTaskInstanceXcom: 'viewer',
  getMappedTaskInstance: 'viewer',
  markMappedTaskInstance: 'operator',
  listMappedTaskInstanceTries: 'viewer',
  getMappedTaskInstanceLog: 'viewer',
  getMappedTaskInstanceXcom: 'viewer',
  clearTaskInstances: 'operator',
  createBackfill: 'operator',
  listBackfills: 'viewer',
  getBackfill: 'viewer',
  cancelBackfill: 'operator',
  listAssets: 'viewer',
  createAssetEvent: 'operator',
  listAssetEvents: 'viewer',
  listPools: 'viewer',
  createPool: 'admin',
  getPool: 'viewer',
  patchPool: 'admin',
  deletePool: 'admin',
  listConnections: 'viewer',
  createConnection: 'admin',
  getConnection: 'viewer',
  patchConnection: 'admin',
  deleteConnection: 'admin',
  listVariables: 'viewer',
  createVariable: 'admin',
  getVariable: 'viewer',
  patchVariable: 'admin',
  deleteVariable: 'admin',
  listWorkers: 'viewer',
  listQueues: 'viewer',
  getCurrentUser: 'viewer',
  listAuditLog: 'viewer',
  getOpenApiDocument: 'viewer',
  getMetrics: 'viewer',
};

const ALLOWED: Record<Role, Role[]> = { viewer: ['viewer', 'operator', 'admin'], operator: ['operator', 'admin'], admin: ['admin'] };
const TOKENS: Record<Role, string> = { viewer: 'tok-dash', operator: 'tok-ci', admin: 'tok-alice' };

type Operation = { operationId: string; 'x-sluice-role'?: string; parameters?: { in: string; name: string; schema?: { pattern?: string } }[] };
type PathItem = { servers?: unknown } & Record<string, unknown>;

describe('users and roles', () => {
  const fx = new ApiFixture();
  let url: string;

  before(async () => {
    await fx.setUp();
    url = (
      await fx.start({
        apiTokens: [
          { name: 'alice', token: TOKENS.admin, role: 'admin' },
          { name: 'ci', token: TOKENS.operator, role: 'operator' },
          { name: 'dash', token: TOKENS.viewer, role: 'viewer' },
        ],
      })
    ).url;
  });
  after(() => fx.tearDown());

  test('every operation lets exactly its roles through, and answers the others 403 forbidden', async () => {
    const doc = (await client(url, TOKENS.viewer)<{ paths: Record<string, PathItem> }>('GET', '/api/v1/openapi.json')).body;
    const seen: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, value] of Object.entries(item)) {
        if (method === 'servers') continue;
        const operation = value as Operation;
        const least = EXPECTED[operation.operationId];
        assert.ok(least, `${method.toUpperCase()} ${template} (${operation.operationId}) is not in this test's table: add it with the role the contract gives it`);
        seen.push(operation.operationId);
        assert.equal(operation['x-sluice-role'], least, `the document's role of ${operation.operationId}`);
        // Ids that name nothing, and an empty body: whoever gets through changes nothing (a 400 or 404).
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
          const pattern = operation.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema?.pattern;
          return pattern ? '987654' : 'no_such_thing';
        });
        const target = `${item.servers ? '' : '/api/v1'}${path}`;
        for (const role of ['viewer', 'operator', 'admin'] as const) {
          const reply = await client(url, TOKENS[role])(method.toUpperCase(), target, method === 'get' ? {} : { json: {} });
          const what = `${role} calling ${method.toUpperCase()} ${target}`;
          if (ALLOWED[least].includes(role)) {
            assert.notEqual(reply.status, 403, `${what}: ${reply.text}`);
          } else {
            assert.equal(reply.status, 403, what);
            const { error } = reply.body as { error: { code: string; message: string } };
            assert.equal(error.code, 'forbidden');
            assert.match(error.message, new RegExp(`needs the role ${ALLOWED[least].join(' or ')}, and "\\w+" is an? ${role}`));
          }
        }
      }
    }
    assert.deepEqual(seen.sort(), Object.keys(EXPECTED).sort(), 'an operation of the table is missing from the document');
  });

  test('GET /me names the caller; a wrong token is 401; SLUICE_API_TOKEN is an admin named admin; no token at all, an anonymous admin', async () => {
    assert.deepEqual((await client(url, TOKENS.operator)('GET', '/api/v1/me')).body, { name: 'ci', role: 'operator' });
    assert.equal((await client(url, 'nope')('GET', '/api/v1/me')).status, 401);
    assert.equal((await client(url)('GET', '/api/v1/me')).status, 401);
    const single = (await fx.start({ apiToken: 'root' })).url;
    assert.deepEqual((await client(single, 'root')('GET', '/api/v1/me')).body, { name: 'admin', role: 'admin' });
    const open = (await fx.start()).url;
    assert.deepEqual((await client(open)('GET', '/api/v1/me')).body, { name: 'anonymous', role: 'admin' });
  });
});

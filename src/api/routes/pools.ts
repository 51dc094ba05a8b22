import { addPool, changePool, removePool, requirePool } from '../../engine/pools.ts';
import { listPoolUsage } from '../../store/pools.ts';
import { defineRoute } from '../route.ts';
import { nothing } from '../schemas/fields.ts';
import { createPoolBody, patchPoolBody, pool, poolList, poolPath } from '../schemas/pools.ts';

const TAG = 'Pools';

export const poolRoutes = [
  defineRoute({
    operationId: 'listPools',
    method: 'get',
    path: '/pools',
    tag: TAG,
    minRole: 'viewer',
    summary: 'Every pool with its slots, occupied and queued',
    answers: { 200: { description: 'every pool, by name', schema: poolList } },
    async handle(_request, { deps: { services: { db } } }) {
      const pools = await listPoolUsage(db);
      return { status: 200, body: { pools, totalEntries: pools.length } };
    },
  }),

  defineRoute({
    operationId: 'createPool',
    method: 'post',
    path: '/pools',
    tag: TAG,
    minRole: 'admin',
    summary: 'Create a pool',
    body: createPoolBody,
    answers: { 201: { description: 'the pool; Location names it', schema: pool } },
    errors: { 409: 'a pool of that name exists (change it with PATCH)' },
    async handle({ body }, { deps: { services: { db } }, caller }) {
      const created = await addPool(db, body.name, body.slots, body.description, caller.name);
      return { status: 201, location: `/api/v1/pools/${encodeURIComponent(created.name)}`, body: created };
    },
  }),

  defineRoute({
    operationId: 'getPool',
    method: 'get',
    path: '/pools/:name',
    tag: TAG,
    minRole: 'viewer',
    summary: 'One pool',
    params: poolPath,
    answers: { 200: { description: 'the pool', schema: pool } },
    errors: { 404: 'no such pool' },
    async handle({ params: { name } }, { deps: { services: { db } } }) {
      return { status: 200, body: await requirePool(db, name) };
    },
  }),

  defineRoute({
    operationId: 'patchPool',
    method: 'patch',
    path: '/pools/:name',
    tag: TAG,
    minRole: 'admin',
    summary: "Change a pool's slots or description; admission follows at once",
    params: poolPath,
    body: patchPoolBody,
    answers: { 200: { description: 'the pool as it is now', schema: pool } },
    errors: { 404: 'no such pool' },
    async handle({ params: { name }, body }, { deps: { services: { db } }, caller }) {
      return { status: 200, body: await changePool(db, name, body, caller.name) };
    },
  }),

  defineRoute({
    operationId: 'deletePool',
    method: 'delete',
    path: '/pools/:name',
    tag: TAG,
    minRole: 'admin',
    summary: 'Delete a pool',
    description: 'Tasks that still name it get it back at the default size (128 slots) when their DAG is next parsed.',
    params: poolPath,
    query: nothing,
    answers: { 204: { description: 'deleted', empty: true } },
    errors: { 404: 'no such pool', 409: 'default_pool cannot be deleted' },
    async handle({ params: { name } }, { deps: { services: { db } }, caller }) {
      await removePool(db, name, caller.name);
      return { status: 204 };
    },
  }),
];

import { defineRoute } from '../route.ts';
import { nothing } from '../schemas/fields.ts';
import { currentUser } from '../schemas/users.ts';

export const userRoutes = [
  defineRoute({
    operationId: 'getCurrentUser',
    method: 'get',
    path: '/me',
    tag: 'Users',
    minRole: 'viewer',
    summary: 'Who the token belongs to, and its role',
    description: 'The UI asks this to show who is signed in and to hide what the role may not do.',
    query: nothing,
    answers: { 200: { description: 'the caller', schema: currentUser } },
    async handle(_input, { caller }) {
      return { status: 200, body: { name: caller.name, role: caller.role } };
    },
  }),
];

/** Users and roles (README, "Users and roles"): what GET /me answers. */
import { z } from 'zod';
import { ROLES } from '../../core/roles.ts';

export const role = z.enum(ROLES).meta({
  id: 'Role',
  description: 'viewer: reads; operator: also trigger, clear, mark, pause, backfill, asset events; admin: also pools, connections, variables',
});

export const currentUser = z
  .object({
    name: z.string().meta({ description: "the token's user (SLUICE_API_TOKENS; \"admin\" for SLUICE_API_TOKEN), or \"anonymous\" when the webserver has no token" }),
    role,
  })
  .meta({ id: 'CurrentUser' });

export type Role = z.infer<typeof role>;
export type CurrentUser = z.infer<typeof currentUser>;

/** The one shape of every answer that is not a success. */
import { z } from 'zod';

export const apiErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'what kind of failure, for programs: bad_request, invalid_json, invalid_conf (a conf that breaks the DAG\'s typed params), unauthorized, forbidden, not_found, conflict, payload_too_large, internal' }),
      message: z.string().meta({ description: 'what is wrong and how to fix it, for people; never a stack trace' }),
    }),
  })
  .meta({ id: 'Error' });

export type ApiErrorBody = z.infer<typeof apiErrorBody>;

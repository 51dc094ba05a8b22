/** The REST API's JSON, as the server declares it (src/api/schemas): types only. */
export type * from '../../src/api/schemas/index.ts';

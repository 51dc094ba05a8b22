/** Errors meant for users. The API maps `status`; the CLI prints `message` and exits 2. */
export class SluiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SluiceError';
  }
}

export const badRequest = (message: string) => new SluiceError(400, 'bad_request', message);
/** A request Sluice will not serve as sent (a foreign Host, another site's page); the message says what would be served. */
export const forbidden = (message: string) => new SluiceError(403, 'forbidden', message);
export const notFound = (message: string) => new SluiceError(404, 'not_found', message);
export const conflict = (message: string) => new SluiceError(409, 'conflict', message);
/** A run's conf that its DAG's typed params refuse; the message names each param and its rule. */
export const invalidConf = (message: string) => new SluiceError(400, 'invalid_conf', message);

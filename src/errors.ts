/** Errors meant for users. The API maps `status`; the CLI prints `message` and exits 2. */
export class SluiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SluiceError';
  }
}

export const badRequest = (message: string) => new SluiceError(400, 'bad_request', message);
export const notFound = (message: string) => new SluiceError(404, 'not_found', message);
export const conflict = (message: string) => new SluiceError(409, 'conflict', message);

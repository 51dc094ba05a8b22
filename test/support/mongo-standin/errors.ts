/**
 * Command errors as mongod reports them: `{ ok: 0, errmsg, code, codeName }`. The driver decides
 * what is retryable and what a duplicate key is from `code`, so the codes are mongod's own.
 */

const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  6: 'HostUnreachable',
  7: 'HostNotFound',
  9: 'FailedToParse',
  11: 'UserNotFound',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  22: 'InvalidBSON',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  50: 'MaxTimeMSExpired',
  52: 'DollarPrefixedFieldName',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  112: 'WriteConflict',
  115: 'CommandNotSupported',
  168: 'InvalidPipelineOperator',
  189: 'PrimarySteppedDown',
  262: 'ExceededTimeLimit',
  352: 'UnsupportedOpQueryCommand',
  10107: 'NotWritablePrimary',
  11000: 'DuplicateKey',
  11600: 'InterruptedAtShutdown',
  11602: 'InterruptedDueToReplStateChange',
  13435: 'NotPrimaryNoSecondaryOk',
  40324: 'Location40324',
};

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Location${code}`;
}

/** Thrown by a command handler; the dispatcher turns it into an `ok: 0` reply. */
export class CommandError extends Error {
  readonly code: number;
  /** Extra reply fields, e.g. keyPattern/keyValue of a duplicate key. */
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.extra = extra;
  }
}

export const badValue = (message: string): CommandError => new CommandError(2, message);
export const typeMismatch = (message: string): CommandError => new CommandError(14, message);

export function errorReply(code: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ok: 0, errmsg: message, code, codeName: codeName(code), ...extra };
}

/**
 * The error catalogue (DESIGN.md §3). Every error a user can see has a stable MDE code, an HTTP
 * status, and a flag saying whether its message may be shown. The API renders
 * `{"error":{"code","message","target"}}`; a 5xx reveals nothing internal.
 */
export const ERROR_CATALOGUE = {
  BadRequest: { status: 400, expose: true },
  ODataError: { status: 400, expose: true },
  InvalidInput: { status: 400, expose: true },
  InvalidRequestBody: { status: 400, expose: true },
  /** An indicator value refused by its type (reference §5). */
  InvalidHashValue: { status: 400, expose: true },
  InvalidIpAddress: { status: 400, expose: true },
  InvalidDomainName: { status: 400, expose: true },
  InvalidUrl: { status: 400, expose: true },
  MaximumBatchSizeExceeded: { status: 400, expose: true },
  MissingRequiredParameter: { status: 400, expose: true },
  /** A machine action of a kind still open on the device (reference §2.2). */
  ActiveRequestAlreadyExists: { status: 400, expose: true },
  Unauthorized: { status: 401, expose: true },
  Forbidden: { status: 403, expose: true },
  /** A feature this server does not offer (MDE: a feature turned off for the tenant). */
  DisabledFeature: { status: 403, expose: true },
  NotFound: { status: 404, expose: true },
  ResourceNotFound: { status: 404, expose: true },
  MethodNotAllowed: { status: 405, expose: true },
  Conflict: { status: 409, expose: true },
  PayloadTooLarge: { status: 413, expose: true },
  UnsupportedMediaType: { status: 415, expose: true },
  TooManyRequests: { status: 429, expose: true },
  InternalServerError: { status: 500, expose: false },
  ServiceUnavailable: { status: 503, expose: true },
} as const;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error a caller may see; its code fixes status and whether the message is shown. */
export class PalisadeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Extra fields rendered next to `code`/`message` (e.g. line/column of a query error). */
  readonly details?: Record<string, unknown>;
  /** Response headers that belong to this error (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, opts.cause ? { cause: opts.cause } : undefined);
    this.name = 'PalisadeError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.expose = ERROR_CATALOGUE[code].expose;
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

/** Shorthands for the common cases. */
export const errors = {
  badRequest: (msg: string, details?: Record<string, unknown>) => new PalisadeError('BadRequest', msg, { details }),
  invalidBody: (msg: string) => new PalisadeError('InvalidRequestBody', msg),
  odata: (msg: string) => new PalisadeError('ODataError', msg),
  notFound: (msg: string) => new PalisadeError('ResourceNotFound', msg),
  unauthorized: (msg = 'Authorization token is missing, invalid or expired') => new PalisadeError('Unauthorized', msg),
  forbidden: (msg: string) => new PalisadeError('Forbidden', msg),
  tooMany: (msg: string, retryAfterSeconds: number) =>
    new PalisadeError('TooManyRequests', msg, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } }),
};

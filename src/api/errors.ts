/**
 * Renders every error as MDE does: `{"error":{"code","message","target"}}`, where target is the
 * request's correlation id. 5xx bodies reveal nothing internal; the cause goes to the log.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PalisadeError } from '../domain/errors.ts';

/** The JSON body of an error response. */
export function errorBody(code: string, message: string, target: string, details?: Record<string, unknown>) {
  return { error: { code, message, target, ...(details ?? {}) } };
}

function fromValidation(err: FastifyError): PalisadeError {
  const v = err.validation?.[0];
  const where = err.validationContext ?? 'body';
  const path = v?.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  let msg: string;
  if (v?.keyword === 'required') msg = `The ${where} is missing the required property '${(v.params as { missingProperty?: string }).missingProperty}'`;
  else if (v?.keyword === 'additionalProperties') msg = `The ${where} has an unknown property '${(v.params as { additionalProperty?: string }).additionalProperty}'`;
  else if (v?.keyword === 'enum') msg = `Invalid ${where}${path ? ` property '${path}'` : ''}: must be one of ${((v.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`;
  else msg = `Invalid ${where}${path ? ` property '${path}'` : ''}: ${v?.message ?? err.message}`;
  return new PalisadeError(where === 'body' ? 'InvalidRequestBody' : 'BadRequest', msg);
}

/** Framework errors (body parsing, limits) as catalogue errors, keeping their HTTP meaning. */
function fromFramework(err: FastifyError, req: FastifyRequest): PalisadeError {
  const type = req.headers['content-type'];
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PalisadeError('UnsupportedMediaType', type
        ? `Content type '${type}' is not supported here; send the body as application/json`
        : 'The request has a body but no Content-Type header; send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PalisadeError('InvalidRequestBody', 'Request body is empty');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PalisadeError('PayloadTooLarge', 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new PalisadeError('BadRequest', 'The Content-Length header does not match the body');
    default:
      break;
  }
  const status = err.statusCode ?? 500;
  if (status === 400) return new PalisadeError('InvalidRequestBody', `Request body is incorrect: ${err.message}`);
  if (status === 404) return new PalisadeError('NotFound', err.message);
  if (status === 405) return new PalisadeError('MethodNotAllowed', err.message);
  if (status === 413) return new PalisadeError('PayloadTooLarge', err.message);
  if (status === 415) return new PalisadeError('UnsupportedMediaType', err.message);
  if (status === 429) return new PalisadeError('TooManyRequests', err.message);
  if (status < 500) return new PalisadeError('BadRequest', err.message);
  return new PalisadeError('InternalServerError', 'An internal error occurred', { cause: err });
}

/** Sends `err` as MDE's error body (a 5xx reveals nothing and logs its cause). */
export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  let e: PalisadeError;
  if (err instanceof PalisadeError) e = err;
  else if ((err as FastifyError).validation) e = fromValidation(err as FastifyError);
  else e = fromFramework(err as FastifyError, req);
  if (e.status >= 500) req.log.error({ err: e.cause ?? err, code: e.code }, 'request failed');
  if (e.headers) reply.headers(e.headers);
  // set here too: errors raised before routing (a malformed URL) skip the onSend hook that sets it
  void reply.header('request-id', req.id);
  const message = e.expose ? e.message : 'An internal error occurred';
  void reply.status(e.status).type('application/json; charset=utf-8').send(errorBody(e.code, message, req.id, e.details));
}

/**
 * Installs the error handler: every error — the use cases', schema validation's and the framework's
 * own (unsupported or missing Content-Type, empty or malformed JSON, a body too large, a malformed
 * URL) — is answered as `{"error":{"code","message","target"}}`, since MDE clients read `error.code`
 * without checking. The not-found handler is unrouted.ts's.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | PalisadeError, req: FastifyRequest, reply: FastifyReply) => sendError(err, req, reply));
}

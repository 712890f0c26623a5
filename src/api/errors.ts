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

/** Installs the error and not-found handlers on an app. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | PalisadeError, req: FastifyRequest, reply: FastifyReply) => {
    let e: PalisadeError;
    if (err instanceof PalisadeError) e = err;
    else if ((err as FastifyError).validation) e = fromValidation(err as FastifyError);
    else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new PalisadeError('UnsupportedMediaType', `Content type '${req.headers['content-type'] ?? ''}' is not supported`);
    else if ((err as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') e = new PalisadeError('InvalidRequestBody', 'Request body is empty');
    else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new PalisadeError('PayloadTooLarge', 'Request body is too large');
    else if ((err as FastifyError).statusCode === 400) e = new PalisadeError('InvalidRequestBody', `Request body is incorrect: ${err.message}`);
    else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) e = new PalisadeError('BadRequest', err.message);
    else e = new PalisadeError('InternalServerError', 'An internal error occurred', { cause: err });
    if (e.status >= 500) req.log.error({ err: e.cause ?? err, code: e.code }, 'request failed');
    if (e.headers) reply.headers(e.headers);
    const message = e.expose ? e.message : 'An internal error occurred';
    void reply.status(e.status).type('application/json; charset=utf-8').send(errorBody(e.code, message, req.id, e.details));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).type('application/json; charset=utf-8').send(errorBody('NotFound', `No resource at ${req.method} ${req.url.split('?')[0]}`, req.id));
  });
}

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './server-context.js';

/** What Fastify's own 4xx errors are called in the API's answers. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
};

/**
 * Answers every error as `{"error": {"code", "message"}}`: an ApiError with its status, a schema violation
 * as 400, Fastify's own client errors with their status, and anything else as 500 with a generic message
 * (the cause goes to the log, never to the client).
 */
export async function answerError(error: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply): Promise<{ error: { code: string; message: string } }> {
  if (error instanceof ApiError) {
    void reply.code(error.status);
    return { error: { code: error.code, message: error.message } };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    void reply.code(400);
    return { error: { code: 'bad-request', message: `The request is not valid: ${fastifyError.message}.` } };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    void reply.code(status);
    const code = status === 429 ? 'rate-limited' : (FASTIFY_CODES[fastifyError.code] ?? 'bad-request');
    return { error: { code, message: fastifyError.message } };
  }
  request.log.error({ err: error }, 'request failed');
  void reply.code(500);
  return { error: { code: 'internal', message: 'The server could not answer this request; the error is in its log.' } };
}

/** 404 in the same shape as every other error. */
export async function answerNotFound(request: FastifyRequest, reply: FastifyReply): Promise<{ error: { code: string; message: string } }> {
  void reply.code(404);
  return { error: { code: 'not-found', message: `There is no such ${request.method} route.` } };
}

/**
 * middy middlewares shared by every HTTP function, each doing one thing:
 *   requestContext  request id and start time
 *   jsonBody        413 over the size limit, 400 for malformed JSON
 *   adminOnly       401 without a valid admin API key
 *   observe         one ECS access-log line and the HTTP metrics per request, errors mapped to
 *                   JSON responses (never a stack trace to the client)
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import { emitEmf } from '../observability/emf.ts';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { isValidKey, type SecretsProvider } from '../secrets/service-secrets.ts';
import { jsonResult, type HttpEvent, type HttpResult, type LambdaContext } from './api-types.ts';
import { badRequest, HttpError, tooLarge, unauthorized, unavailable } from './http-error.ts';

export interface RequestState {
  requestId: string;
  startedAt: bigint;
  /** Parsed JSON body, when the route takes one. */
  body?: unknown;
  /** Labels the handler adds to the access log (model version, variant...). */
  logFields: Record<string, unknown>;
}

export type HttpRequest = Request<HttpEvent, HttpResult, Error, LambdaContext>;

/** Per-request state, keyed by the event object: middy hands the handler the event, not the request. */
const states = new WeakMap<HttpEvent, RequestState>();

export function stateOf(event: HttpEvent): RequestState {
  let s = states.get(event);
  if (!s) {
    // Only when an error struck before requestContext ran.
    s = { requestId: randomUUID(), startedAt: process.hrtime.bigint(), logFields: {} };
    states.set(event, s);
  }
  return s;
}

export function requestContext(): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> {
  return {
    before: (request) => {
      const headers = request.event.headers ?? {};
      // The caller's id if it sent a sane one, else the invocation's (unique on every host;
      // serverless-offline gives every event the same requestContext.requestId).
      const requestId = safeId(headers['x-request-id']) ?? request.context?.awsRequestId ?? request.event.requestContext?.requestId ?? randomUUID();
      states.set(request.event, { requestId, startedAt: process.hrtime.bigint(), logFields: {} });
    },
  };
}

function safeId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

export function jsonBody(maxBytes: () => number): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> {
  return {
    before: (request) => {
      const { event } = request;
      const raw = event.body ?? '';
      const limit = maxBytes();
      // Cheap bound first: a base64 string is 4/3 of its bytes, UTF-8 at most 4 bytes a char.
      if (raw.length > limit * 4) throw tooLarge(`request body exceeds ${limit} bytes`);
      const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(text, 'utf8') > limit) throw tooLarge(`request body exceeds ${limit} bytes`);
      if (text.trim() === '') throw badRequest('request body is empty: send a JSON object');
      try {
        stateOf(event).body = JSON.parse(text);
      } catch (err) {
        throw badRequest(`request body is not valid JSON: ${(err as Error).message}`);
      }
    },
  };
}

export function adminOnly(secrets: () => SecretsProvider): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> {
  return {
    before: async (request) => {
      const headers = request.event.headers ?? {};
      const key = headers['x-api-key'] ?? bearer(headers['authorization']);
      let keys: string[];
      try {
        keys = (await secrets().get()).adminApiKeys;
      } catch (err) {
        throw unavailable(`admin keys cannot be read right now (${(err as Error).name})`);
      }
      if (!isValidKey(key, keys)) throw unauthorized();
    },
  };
}

function bearer(value: string | undefined): string | undefined {
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1];
}

/** Maps an error to its response; unexpected ones become a 500 that says nothing internal. */
export function errorToResult(err: Error, requestId: string): HttpResult {
  if (err instanceof HttpError) {
    return jsonResult(err.status, { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }, requestId }, err.headers);
  }
  return jsonResult(500, { error: { code: 'internal_error', message: 'internal error; quote the request id when reporting it' }, requestId });
}

export function observe(route: string, deps: () => { logger: Logger; metrics: ServiceMetrics }): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> {
  const finish = (request: HttpRequest, error?: Error): void => {
    const s = stateOf(request.event);
    const response = request.response!;
    response.headers = { ...response.headers, 'x-request-id': s.requestId };
    const seconds = Number(process.hrtime.bigint() - s.startedAt) / 1e9;
    const { logger, metrics } = deps();
    const method = request.event.requestContext?.http?.method ?? 'GET';
    const labels = { route, method, status: String(response.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    emitEmf({ Route: route, Status: labels.status }, { Requests: { value: 1, unit: 'Count' }, Latency: { value: seconds * 1000, unit: 'Milliseconds' } });
    const fields = {
      'log.logger': 'access',
      'http.request.id': s.requestId,
      'http.request.method': method,
      'url.path': request.event.rawPath,
      'http.response.status_code': response.statusCode,
      'event.duration': Math.round(seconds * 1e9),
      route,
      ...s.logFields,
    };
    if (error && !(error instanceof HttpError)) logger.error({ ...fields, err: error }, `${route} failed`);
    else if (error) logger.warn({ ...fields, 'error.code': (error as HttpError).code, 'error.message': error.message }, `${route} ${response.statusCode}`);
    else logger.info(fields, `${route} ${response.statusCode}`);
  };
  return {
    after: (request) => finish(request),
    onError: (request) => {
      request.response = errorToResult(request.error!, stateOf(request.event).requestId);
      finish(request, request.error!);
    },
  };
}

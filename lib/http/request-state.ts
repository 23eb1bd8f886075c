/** Per-request state shared by the middlewares and the handler: the request id, its start, the parsed body, log fields. */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import type { HttpEvent, HttpResult, LambdaContext } from './api-types.ts';

export interface RequestState {
  requestId: string;
  startedAt: bigint;
  /** Parsed JSON body, when the route takes one. */
  body?: unknown;
  /** Labels the handler adds to the access log (model version, variant...). */
  logFields: Record<string, unknown>;
}

export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext>;
export type HttpRequest = Request<HttpEvent, HttpResult, Error, LambdaContext>;

/** Keyed by the event object: middy hands the handler the event, not the request. */
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

export function requestContext(): HttpMiddleware {
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

/** Per-request state shared by the middlewares and the handler: the request id, its start, the parsed body, log fields. */
import { instanceOrderedId } from '../util/instance-ids.ts';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Principal } from '../auth/principal.ts';
import type { HttpEvent, HttpResult, LambdaContext } from './api-types.ts';

export interface RequestState {
  requestId: string;
  startedAt: bigint;
  /** Parsed JSON body, when the route takes one. */
  body?: unknown;
  /** Labels the handler adds to the access log (model version, variant...). */
  logFields: Record<string, unknown>;
  /** Who called, on an admin route (lib/http/admin-only.ts). */
  principal?: Principal;
}

export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext>;
export type HttpRequest = Request<HttpEvent, HttpResult, Error, LambdaContext>;

/** Keyed by the event object: middy hands the handler the event, not the request. */
const states = new WeakMap<HttpEvent, RequestState>();

export function stateOf(event: HttpEvent): RequestState {
  let s = states.get(event);
  if (!s) {
    // Only when an error struck before requestContext ran.
    s = { requestId: instanceOrderedId(), startedAt: process.hrtime.bigint(), logFields: {} };
    states.set(event, s);
  }
  return s;
}

export function requestContext(): HttpMiddleware {
  return {
    before: (request) => {
      const headers = request.event.headers ?? {};
      // Our own id, always: it says when and on which instance the request was answered, which is
      // how feedback finds the answer with one read. The caller's x-request-id and the platform's
      // invocation id are kept in the access log, to follow a request across systems.
      const clientId = safeId(headers['x-request-id']);
      const invocation = request.context?.awsRequestId;
      const logFields: Record<string, unknown> = {
        ...(clientId ? { 'labels.client_request_id': clientId } : {}),
        ...(invocation ? { 'faas.execution': invocation } : {}),
      };
      states.set(request.event, { requestId: instanceOrderedId(), startedAt: process.hrtime.bigint(), logFields });
    },
  };
}

function safeId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/**
 * How every HTTP function is assembled: the handler body wrapped in the shared middlewares.
 * Functions stay thin: validate, call lib/, shape the response.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { HttpEvent, HttpResult, LambdaContext } from '../../lib/http/api-types.ts';
import { adminOnly, jsonBody, observe, requestContext, stateOf, type RequestState } from '../../lib/http/middlewares.ts';
import { getBasics } from './service.ts';

export interface HandlerOptions {
  /** Route template for logs and metrics, e.g. "POST /predict". */
  route: string;
  /** Parse a JSON body (size-limited). */
  body?: boolean;
  /** Require an admin API key. */
  admin?: boolean;
}

export type RouteHandler = (event: HttpEvent, state: RequestState) => Promise<HttpResult>;

export function httpHandler(options: HandlerOptions, handle: RouteHandler): (event: HttpEvent, context: LambdaContext) => Promise<HttpResult> {
  // The early-timeout timer costs a timer per request; Lambda's own timeout still applies.
  const chain = middy<HttpEvent, HttpResult, Error, LambdaContext>({ timeoutEarlyInMillis: 0 })
    .use(observe(options.route, () => getBasics()))
    .use(httpHeaderNormalizer())
    .use(requestContext());
  if (options.admin) chain.use(adminOnly(() => getBasics().secrets));
  if (options.body) chain.use(jsonBody(() => getBasics().config.MAX_BODY_BYTES));
  return chain.handler(async (event) => handle(event, stateOf(event)));
}

/**
 * How every HTTP function is assembled: the handler body wrapped in the shared middlewares,
 * chosen by the route's declaration (lib/http/route-table.ts: its role, body, error shape).
 * Functions stay thin: validate, call lib/, shape the response.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { oidcVerifierFor } from '../../lib/http/oidc.ts';
import type { Role } from '../../lib/auth/principal.ts';
import { adminOnly } from '../../lib/http/admin-only.ts';
import type { HttpEvent, HttpResult, LambdaContext } from '../../lib/http/api-types.ts';
import { gatewayTimeout } from '../../lib/http/http-error.ts';
import { jsonBody } from '../../lib/http/json-body.ts';
import { flushingEmf } from '../../lib/observability/emf.ts';
import { observe } from '../../lib/http/observe.ts';
import type { ErrorShape } from '../../lib/http/error-response.ts';
import { requestContext, stateOf, type RequestState } from '../../lib/http/request-state.ts';
import { namesAModel } from '../../lib/http/model-query-routes.ts';
import { declarationOf, type RouteKey } from '../../lib/http/route-table.ts';
import { checkNamedModel } from './model-errors.ts';
import { getBasics } from './service.ts';

export interface HandlerOptions {
  /** Route template for logs and metrics, e.g. "POST /predict". */
  route: string;
  /** Parse a JSON body (size-limited, an object); 'optional': an empty body is `{}`. */
  body?: boolean | 'optional';
  /** Require an admin principal holding this role. */
  role?: Role;
  /** Decides per request whether `role` is asked for (a route configuration may open); by default always. */
  roleRequired?: () => boolean;
  /** The shape of error answers: ours, or the Open Inference Protocol's {"error": "..."}. */
  errors?: ErrorShape;
}

export type RouteHandler = (event: HttpEvent, state: RequestState) => Promise<HttpResult>;

/** A function's entry: what Lambda calls, with the declared routes it serves. */
export type ServedHandler = ((event: HttpEvent, context: LambdaContext) => Promise<HttpResult>) & {
  readonly routes: readonly RouteKey[];
};

/**
 * A handler that runs out of time answers 504 in the documented shape half a second before
 * the host's own timeout would (Lambda's, serverless-offline's: theirs answer with their own
 * bodies, serverless-offline's even with status 200).
 */
const TIMEOUT_MARGIN_MS = 500;

export function httpHandler(
  options: HandlerOptions,
  handle: RouteHandler,
): (event: HttpEvent, context: LambdaContext) => Promise<HttpResult> {
  const chain = middy<HttpEvent, HttpResult, Error, LambdaContext>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw gatewayTimeout();
    },
  })
    .use(observe(options.route, () => getBasics(), options.errors))
    .use(httpHeaderNormalizer())
    .use(requestContext());
  const { role, roleRequired } = options;
  if (role)
    chain.use(
      adminOnly({
        secrets: () => getBasics().secrets,
        oidc: () => oidcVerifierFor(getBasics().config),
        role,
        ...(roleRequired ? { required: roleRequired } : {}),
      }),
    );
  // A route about one model checks that model is registered first (after who is asking, before
  // what is asked): 404 for a model nobody registered, whatever the body says.
  if (namesAModel(options.route)) chain.use({ before: (request) => checkNamedModel(request.event) });
  if (options.body)
    chain.use(jsonBody(() => getBasics().config.MAX_BODY_BYTES, { emptyIsObject: options.body === 'optional' }));
  // The CloudWatch metrics this invocation recorded are written once, when it ends.
  return flushingEmf(chain.handler(async (event) => handle(event, stateOf(event))));
}

/** The handler of a declared route: its middlewares derived from the declaration, `handle` its logic. */
export function routeHandler(route: RouteKey, handle: RouteHandler): ServedHandler {
  const declaration = declarationOf(route);
  const { openedBy } = declaration;
  const body = declaration.emptyBody ? 'optional' : declaration.body !== undefined;
  const entry = httpHandler(
    {
      route,
      body,
      ...(declaration.role ? { role: declaration.role } : {}),
      ...(declaration.role && openedBy ? { roleRequired: () => !getBasics().config[openedBy] } : {}),
      ...(declaration.errors ? { errors: declaration.errors } : {}),
    },
    handle,
  );
  return Object.assign(entry, { routes: [route] });
}

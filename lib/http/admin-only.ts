/**
 * Who may call an admin route: a principal (lib/auth/principal.ts) from an admin API key
 * (x-api-key, or Authorization: Bearer with a key) or an OIDC bearer token (a JWT, when OIDC is
 * configured), holding the role the route needs (its `role` in lib/http/route-table.ts). 401 without valid
 * credentials, 403 with a role too low (naming the role needed), 503 when the keys or the
 * provider's key set cannot be read. The principal is left on the request state for the handler
 * (the history's actor) and in the access log; the request id stays in the log beside it.
 */
import { parseAdminKeys, principalForKey } from '../auth/api-keys.ts';
import { looksLikeJwt, type OidcVerifier } from './oidc.ts';
import { highestRole, mayActAs, type Principal, type Role } from '../auth/principal.ts';
import type { SecretsProvider } from '../secrets/service-secrets.ts';
import { forbidden, unauthorized, unavailable, type HttpError } from './http-error.ts';
import { stateOf, type HttpMiddleware } from './request-state.ts';

export interface AdminAccess {
  secrets: () => SecretsProvider;
  /** The OIDC token verifier, or null when only API keys are accepted. */
  oidc: () => OidcVerifier | null;
  /** The role the route needs. */
  role: Role;
  /** Decides per request (a route that configuration may open to everyone); by default always. */
  required?: () => boolean;
}

export function adminOnly(access: AdminAccess): HttpMiddleware {
  return {
    before: async (request) => {
      if (access.required && !access.required()) return;
      const principal = await authenticate(request.event.headers ?? {}, access);
      const state = stateOf(request.event);
      // ECS user fields: who, beside the request id the access log already has; a refusal for a
      // role too low is logged with them too.
      const sourceIp = request.event.requestContext?.http?.sourceIp;
      Object.assign(state.logFields, {
        'user.id': principal.id,
        'user.name': principal.name,
        'user.roles': principal.roles,
        'labels.auth': principal.via,
        ...(sourceIp ? { 'source.ip': sourceIp } : {}),
      });
      if (!mayActAs(principal, access.role)) throw roleTooLow(principal, access.role);
      state.principal = principal;
    },
  };
}

async function authenticate(headers: Record<string, string | undefined>, access: AdminAccess): Promise<Principal> {
  const oidc = access.oidc();
  const apiKey = headers['x-api-key'];
  const token = apiKey === undefined ? bearer(headers['authorization']) : undefined;
  if (token !== undefined && oidc && looksLikeJwt(token)) return oidc(token);
  let keys: string[];
  try {
    keys = (await access.secrets().get()).adminApiKeys;
  } catch (err) {
    throw unavailable(`admin keys cannot be read right now (${(err as Error).name})`);
  }
  const principal = principalForKey(apiKey ?? token, parseAdminKeys(keys));
  if (!principal) throw unauthorized(oidc !== null);
  return principal;
}

function roleTooLow(principal: Principal, needed: Role): HttpError {
  return forbidden(
    `this route needs the ${needed} role; ${principal.name} has ${highestRole(principal.roles) ?? 'no role'}`,
  );
}

function bearer(value: string | undefined): string | undefined {
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1];
}

/**
 * OIDC bearer tokens: a JWT signed by the identity provider, verified with `jose` against the
 * provider's JWKS (fetched with a timeout, cached, re-fetched for an unknown key id after a
 * cooldown: jose's createRemoteJWKSet). The issuer and audience must be ours and the token
 * current (a token without `exp` never expires, so it is refused). The principal is the token's OIDC_PRINCIPAL_CLAIM (default `sub`), named by its `name`
 * or `email`; its roles are the values of OIDC_ROLES_CLAIM (default `roles`; a dotted path such as
 * `realm_access.roles` reaches into objects), taken as role names, or as groups mapped to roles by
 * OIDC_GROUP_ROLES. Refusals name the problem, never the token.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { forbidden, HttpError, unavailable } from './http-error.ts';
import type { Config } from '../config/config.ts';
import { parseGroupRoles } from '../auth/group-roles.ts';
import { isRole, type Principal, type Role } from '../auth/principal.ts';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  jwksTimeoutMs: number;
  clockToleranceSeconds: number;
  principalClaim: string;
  rolesClaim: string;
  /** group -> role; when set, the roles claim holds groups. */
  groupRoles?: Record<string, Role>;
}

export type OidcVerifier = (token: string) => Promise<Principal>;

/** A compact JWS: three base64url parts. What else arrives as a bearer token is an API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export const invalidToken = (problem: string): HttpError =>
  new HttpError(401, 'unauthorized', `the bearer token was refused: ${problem}`, undefined, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${problem.replace(/["\\]/g, '')}"`,
  });

export function createOidcVerifier(settings: OidcSettings): OidcVerifier {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: settings.jwksTimeoutMs });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw refusal(err, settings);
    }
    return principalOf(payload, settings);
  };
}

function refusal(err: unknown, settings: OidcSettings): HttpError {
  if (err instanceof errors.JWTExpired) return invalidToken('it has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return invalidToken(`its audience is not ${settings.audience}`);
    if (err.claim === 'iss') return invalidToken(`its issuer is not ${settings.issuer}`);
    return invalidToken(`its "${err.claim}" claim is ${err.reason === 'missing' ? 'missing' : 'not valid now'}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalidToken('its signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey)
    return invalidToken("the issuer's key set has no key for its key id (kid) and algorithm");
  if (err instanceof errors.JWKSMultipleMatchingKeys)
    return invalidToken("the issuer's key set has several keys for its key id; the token must name one");
  if (
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JOSEAlgNotAllowed ||
    err instanceof errors.JOSENotSupported
  )
    return invalidToken('it is not a signed JWT this service can verify');
  // The key set could not be fetched or read (timeout, network, not a JWKS): not the caller's fault.
  if (err instanceof errors.JWKSTimeout)
    return unavailable(
      `the identity provider's key set (OIDC_JWKS_URL) did not answer within ${settings.jwksTimeoutMs} ms`,
    );
  return unavailable(
    `the identity provider's key set (OIDC_JWKS_URL) cannot be read right now (${(err as Error).name})`,
  );
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.'))
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function principalOf(payload: JWTPayload, settings: OidcSettings): Principal {
  const id = claimAt(payload, settings.principalClaim);
  if (typeof id !== 'string' || !id)
    throw invalidToken(`it has no "${settings.principalClaim}" claim naming the principal`);
  const name = [payload.name, payload.email].find((v): v is string => typeof v === 'string' && v.length > 0) ?? id;
  const raw = claimAt(payload, settings.rolesClaim);
  const values = Array.isArray(raw)
    ? raw.filter((v): v is string => typeof v === 'string')
    : typeof raw === 'string'
      ? raw.split(/[\s,]+/)
      : [];
  const roles = [
    ...new Set(
      values.map((v) => (settings.groupRoles ? settings.groupRoles[v] : isRole(v) ? v : undefined)).filter(isRole),
    ),
  ];
  if (roles.length === 0) {
    const expected = settings.groupRoles
      ? `group of OIDC_GROUP_ROLES (${Object.keys(settings.groupRoles).join(', ')})`
      : 'role (viewer, operator or approver)';
    throw forbidden(`${name} has no role here: the token's "${settings.rolesClaim}" claim holds no ${expected}`);
  }
  return { id, name, roles, via: 'oidc' };
}

/** The OIDC settings of a configuration, or null when it accepts API keys only. */
export function oidcSettings(config: Config): OidcSettings | null {
  if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE || !config.OIDC_JWKS_URL) return null;
  return {
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUrl: config.OIDC_JWKS_URL,
    jwksTimeoutMs: config.OIDC_JWKS_TIMEOUT_SECONDS * 1000,
    clockToleranceSeconds: config.OIDC_CLOCK_TOLERANCE_SECONDS,
    principalClaim: config.OIDC_PRINCIPAL_CLAIM,
    rolesClaim: config.OIDC_ROLES_CLAIM,
    ...(config.OIDC_GROUP_ROLES ? { groupRoles: parseGroupRoles(config.OIDC_GROUP_ROLES) } : {}),
  };
}

/** One verifier (and so one cached key set) per configuration, i.e. per container. */
const verifiers = new WeakMap<Config, OidcVerifier | null>();

export function oidcVerifierFor(config: Config): OidcVerifier | null {
  if (!verifiers.has(config)) {
    const settings = oidcSettings(config);
    verifiers.set(config, settings ? createOidcVerifier(settings) : null);
  }
  return verifiers.get(config)!;
}

/**
 * The OIDC verifier on its own (lib/http/oidc.ts), against the test's local identity provider:
 * roles from groups (OIDC_GROUP_ROLES) and from a claim inside an object, the principal claim,
 * a token shape check, and a key set that cannot be fetched (503, not the caller's fault).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier, looksLikeJwt, type OidcSettings } from '../lib/http/oidc.ts';
import { HttpError } from '../lib/http/http-error.ts';
import { AUDIENCE, ISSUER, startOidcProvider, type OidcProvider } from './oidc-provider.ts';

describe('the OIDC verifier', () => {
  let idp: OidcProvider;
  let settings: OidcSettings;

  beforeAll(async () => {
    idp = await startOidcProvider();
    settings = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: idp.jwksUrl,
      jwksTimeoutMs: 3000,
      clockToleranceSeconds: 0,
      principalClaim: 'sub',
      rolesClaim: 'roles',
    };
  });

  afterAll(async () => {
    await idp?.close();
  });

  it('maps groups to roles when OIDC_GROUP_ROLES is set, ignoring groups it does not name', async () => {
    const verify = createOidcVerifier({
      ...settings,
      rolesClaim: 'groups',
      groupRoles: { 'credit-risk': 'approver', 'ml-ops': 'operator' },
    });
    const principal = await verify(await idp.token({ sub: 'u-1', name: 'Ada', groups: ['everyone', 'ml-ops'] }));
    expect(principal).toEqual({ id: 'u-1', name: 'Ada', roles: ['operator'], via: 'oidc' });
    // A role name is not a group: with a mapping only the mapping grants roles.
    await expect(verify(await idp.token({ sub: 'u-2', groups: ['approver'] }))).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/holds no group of OIDC_GROUP_ROLES \(credit-risk, ml-ops\)/),
    });
  });

  it('reads roles inside an object (a dotted claim) and the principal from another claim', async () => {
    const verify = createOidcVerifier({
      ...settings,
      rolesClaim: 'realm_access.roles',
      principalClaim: 'preferred_username',
    });
    const principal = await verify(
      await idp.token({
        sub: 'f81d4fae',
        preferred_username: 'grace',
        realm_access: { roles: ['offline_access', 'viewer'] },
      }),
    );
    expect(principal).toEqual({ id: 'grace', name: 'grace', roles: ['viewer'], via: 'oidc' });
    await expect(
      verify(await idp.token({ sub: 'f81d4fae', realm_access: { roles: ['viewer'] } })),
    ).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/no "preferred_username" claim/) });
  });

  it('answers 503 when the key set cannot be fetched, naming the setting', async () => {
    const silent: Server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const verify = createOidcVerifier({
        ...settings,
        jwksUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks`,
        jwksTimeoutMs: 200,
      });
      const refusal = await verify(await idp.token({ sub: 'u-3', roles: ['viewer'] })).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refusal).toBeInstanceOf(HttpError);
      expect(refusal).toMatchObject({
        status: 503,
        message: expect.stringMatching(/OIDC_JWKS_URL\) did not answer within 200 ms/),
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a token without an expiry (it would be good forever)', async () => {
    const verify = createOidcVerifier(settings);
    await expect(verify(await idp.token({ sub: 'u-4', roles: ['viewer'] }, { expiresIn: null }))).rejects.toMatchObject(
      { status: 401, message: 'the bearer token was refused: its "exp" claim is missing' },
    );
  });

  it('takes only a compact JWS as a token; anything else is an API key', async () => {
    expect(looksLikeJwt(await idp.token({ sub: 'u' }))).toBe(true);
    for (const key of ['olga-key-0123456789abcdef', 'a.b', 'a.b.c.d', 'a b.c.d'])
      expect(looksLikeJwt(key), key).toBe(false);
  });
});

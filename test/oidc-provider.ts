/**
 * A local OIDC identity provider for tests: an RSA key pair made by jose in the test, its JWKS
 * served over HTTP on 127.0.0.1 (no network), and tokens signed with it. `token` makes a valid
 * token for `sub` and `roles`; its options make each kind of bad token the service must refuse.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const ISSUER = 'https://idp.test.example/';
export const AUDIENCE = 'credit-score-admin';
const KID = 'test-key-1';
const ALG = 'RS256';

export interface TokenOptions {
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for a token that has expired; null for none (no `exp`). */
  expiresIn?: number | null;
  /** Sign with a key the JWKS does not hold, under the JWKS's key id: a bad signature. */
  forged?: boolean;
  kid?: string;
}

export interface OidcProvider {
  jwksUrl: string;
  /** The service's OIDC_* settings for this provider. */
  env: Record<string, string>;
  token(claims: JWTPayload, options?: TokenOptions): Promise<string>;
  /** How many times the JWKS was fetched (the service caches it). */
  fetches(): number;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<OidcProvider> {
  const keys = await generateKeyPair(ALG);
  const stranger = await generateKeyPair(ALG);
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: KID, alg: ALG, use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return {
    jwksUrl,
    env: { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: jwksUrl },
    token: (claims, options = {}) => sign(claims, options, options.forged ? stranger.privateKey : keys.privateKey),
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sign(claims: JWTPayload, options: TokenOptions, key: CryptoKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: options.kid ?? KID })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 60);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 600));
  return jwt.sign(key);
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config/config.ts';
import {
  CachedSecrets,
  createSecretsProvider,
  fromSecretsManager,
  SecretsError,
} from '../lib/secrets/service-secrets.ts';

const KEY_A = 'admin-key-aaaaaaaaaaaaaaaa';
const KEY_B = 'admin-key-bbbbbbbbbbbbbbbb';

describe('cached secrets', () => {
  it('fetches once per TTL, shares a fetch in flight, keeps the last value when a refresh fails', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const cache = new CachedSecrets(
      async () => {
        calls++;
        if (fail) throw new Error('throttled');
        return { adminApiKeys: [calls === 1 ? KEY_A : KEY_B] };
      },
      1000,
      () => now,
    );
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    now = 999;
    expect((await cache.get()).adminApiKeys).toEqual([KEY_A]);
    now = 1000;
    expect((await cache.get()).adminApiKeys).toEqual([KEY_B]); // rotated
    now = 2500;
    fail = true;
    expect((await cache.get()).adminApiKeys).toEqual([KEY_B]);
    const empty = new CachedSecrets(async () => Promise.reject(new Error('no access')), 1000);
    await expect(empty.get()).rejects.toThrow('no access');
  });
});

describe('AWS Secrets Manager (mocked client: no Secrets Manager can run here)', () => {
  const sm = mockClient(SecretsManagerClient);
  afterAll(() => sm.restore());

  it('parses the secret and refuses malformed ones with a reason', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'good' }).resolves({
      SecretString: JSON.stringify({ adminApiKeys: [KEY_A], s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' }),
    });
    sm.on(GetSecretValueCommand, { SecretId: 'not-json' }).resolves({ SecretString: 'admin=1' });
    sm.on(GetSecretValueCommand, { SecretId: 'short-key' }).resolves({
      SecretString: JSON.stringify({ adminApiKeys: ['short'] }),
    });
    sm.on(GetSecretValueCommand, { SecretId: 'binary' }).resolves({ SecretBinary: new Uint8Array([1]) });
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    expect(await fromSecretsManager(client, 'good')()).toEqual({
      adminApiKeys: [KEY_A],
      s3AccessKeyId: 'AK',
      s3SecretAccessKey: 'SK',
    });
    await expect(fromSecretsManager(client, 'not-json')()).rejects.toThrow(SecretsError);
    await expect(fromSecretsManager(client, 'short-key')()).rejects.toThrow(/at least 16 characters/);
    await expect(fromSecretsManager(client, 'binary')()).rejects.toThrow(/no string value/);
  });
});

describe('the real client against a loopback stub of the Secrets Manager protocol', () => {
  let server: Server;
  let secret = { adminApiKeys: [KEY_A] };
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push(`${req.headers['x-amz-target']} ${JSON.parse(body).SecretId}`);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:svc',
            Name: 'svc',
            SecretString: JSON.stringify(secret),
            VersionId: 'v1',
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('is used when SECRETS_ID is set, and picks up a rotated key after the refresh time', async () => {
    const port = (server.address() as AddressInfo).port;
    const env = {
      SECRETS_ID: 'svc',
      SECRETS_REFRESH_SECONDS: '0.2',
      AWS_REGION: 'us-east-1',
      ADMIN_API_KEYS: 'ignored-when-a-secret-is-set',
    };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const provider = createSecretsProvider(loadConfig(env));
      expect((await provider.get()).adminApiKeys).toEqual([KEY_A]);
      secret = { adminApiKeys: [KEY_B] };
      expect((await provider.get()).adminApiKeys).toEqual([KEY_A]); // cached
      await new Promise((r) => setTimeout(r, 250));
      expect((await provider.get()).adminApiKeys).toEqual([KEY_B]);
      expect(seen).toEqual(['secretsmanager.GetSecretValue svc', 'secretsmanager.GetSecretValue svc']);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    }
  });

  it('falls back to the environment on a laptop', async () => {
    const provider = createSecretsProvider(
      loadConfig({
        ADMIN_API_KEYS: `${KEY_A}, ${KEY_B}`,
        S3_ACCESS_KEY_ID: 'minio',
        S3_SECRET_ACCESS_KEY: 'minio-secret',
      }),
    );
    expect(await provider.get()).toEqual({
      adminApiKeys: [KEY_A, KEY_B],
      s3AccessKeyId: 'minio',
      s3SecretAccessKey: 'minio-secret',
    });
  });
});

/**
 * The service's secrets: admin API keys and storage credentials. In the cloud they come from
 * AWS Secrets Manager, cached and re-fetched after a TTL (a rotated key works within that
 * time, without a deploy); on a laptop from a JSON file or the environment. Never logged.
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { adminKeyProblem, splitAdminKeys } from '../auth/api-keys.ts';
import type { Config } from '../config/config.ts';
import { silenceNodeVersionWarning } from '../util/aws-sdk.ts';

/** `name:role:key` or a plain (legacy) key: lib/auth/api-keys.ts. */
const adminKey = z.string().superRefine((entry, ctx) => {
  const problem = adminKeyProblem(entry);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const secretSchema = z
  .object({
    adminApiKeys: z.array(adminKey).default([]),
    /** A single key, as CloudFormation's GenerateSecretString creates it; joins adminApiKeys. */
    adminApiKey: adminKey.optional(),
    s3AccessKeyId: z.string().optional(),
    s3SecretAccessKey: z.string().optional(),
  })
  .transform(({ adminApiKey, ...rest }) => ({
    ...rest,
    adminApiKeys: adminApiKey ? [...rest.adminApiKeys, adminApiKey] : rest.adminApiKeys,
  }));

export type ServiceSecrets = z.output<typeof secretSchema>;

export interface SecretsProvider {
  get(): Promise<ServiceSecrets>;
}

export class SecretsError extends Error {
  override name = 'SecretsError';
}

/** Caches a fetch for `ttlMs`; a failed refresh keeps the last good value (and throws only if there is none). */
export class CachedSecrets implements SecretsProvider {
  private value: ServiceSecrets | null = null;
  private fetchedAt = 0;
  private pending: Promise<ServiceSecrets> | null = null;

  constructor(
    private readonly fetch: () => Promise<ServiceSecrets>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<ServiceSecrets> {
    if (this.value && this.now() - this.fetchedAt < this.ttlMs) return this.value;
    this.pending ??= this.fetch()
      .then((v) => {
        this.value = v;
        this.fetchedAt = this.now();
        return v;
      })
      .catch((err: unknown) => {
        if (this.value) return this.value;
        throw err;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}

export function parseSecret(text: string, source: string): ServiceSecrets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SecretsError(`${source}: secret is not JSON`);
  }
  const result = secretSchema.safeParse(json);
  if (!result.success)
    throw new SecretsError(
      `${source}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}

export function fromSecretsManager(client: SecretsManagerClient, secretId: string): () => Promise<ServiceSecrets> {
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new SecretsError(`secret ${secretId} has no string value`);
    return parseSecret(out.SecretString, `secret ${secretId}`);
  };
}

/** Laptop fallback: SECRETS_FILE (same JSON as the secret), else ADMIN_API_KEYS and S3_* variables. */
export function fromLocal(config: Config): () => Promise<ServiceSecrets> {
  return async () => {
    if (config.SECRETS_FILE) return parseSecret(await readFile(config.SECRETS_FILE, 'utf8'), config.SECRETS_FILE);
    return secretSchema.parse({
      adminApiKeys: splitAdminKeys(config.ADMIN_API_KEYS),
      s3AccessKeyId: config.S3_ACCESS_KEY_ID,
      s3SecretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  };
}

export function createSecretsProvider(config: Config): SecretsProvider {
  silenceNodeVersionWarning();
  const fetch = config.SECRETS_ID
    ? fromSecretsManager(new SecretsManagerClient({ region: config.AWS_REGION }), config.SECRETS_ID)
    : fromLocal(config);
  return new CachedSecrets(fetch, config.SECRETS_REFRESH_SECONDS * 1000);
}

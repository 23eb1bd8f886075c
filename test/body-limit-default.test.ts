/**
 * The body size limit is one fact: the service's MAX_BODY_BYTES (lib/config/config.ts), which
 * lib/http/json-body.ts applies on every host. The Lambda stack passes the setting explicitly
 * (scripts/serverless/environment.cjs, serverless.yml's provider.environment, also what
 * `npm start` runs), so its default there is checked against the service's own.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../lib/config/config.ts';

type Environment = (helpers: { resolveVariable(name: string): Promise<unknown> }) => Promise<Record<string, unknown>>;
const environment = createRequire(import.meta.url)('../scripts/serverless/environment.cjs') as Environment;

describe('the body size limit', () => {
  it("is the service's own default in the Lambda stack's environment when the deployer sets none", async () => {
    const set = process.env.MAX_BODY_BYTES;
    delete process.env.MAX_BODY_BYTES;
    try {
      const env = await environment({
        resolveVariable: async (name) => (name === 'sls:stage' ? 'local' : name.endsWith('Days') ? 30 : 'x'),
      });
      expect(Number(env.MAX_BODY_BYTES)).toBe(configSchema.shape.MAX_BODY_BYTES.parse(undefined));
    } finally {
      if (set !== undefined) process.env.MAX_BODY_BYTES = set;
    }
  });
});

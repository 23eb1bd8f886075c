/** 401 without a valid admin API key (x-api-key, or Authorization: Bearer); 503 when the keys cannot be read. */
import { isValidKey, type SecretsProvider } from '../secrets/service-secrets.ts';
import { unauthorized, unavailable } from './http-error.ts';
import type { HttpMiddleware } from './request-state.ts';

/** `required` decides per request (a route that configuration may open to everyone); by default always. */
export function adminOnly(secrets: () => SecretsProvider, required: () => boolean = () => true): HttpMiddleware {
  return {
    before: async (request) => {
      if (!required()) return;
      const headers = request.event.headers ?? {};
      const key = headers['x-api-key'] ?? bearer(headers['authorization']);
      let keys: string[];
      try {
        keys = (await secrets().get()).adminApiKeys;
      } catch (err) {
        throw unavailable(`admin keys cannot be read right now (${(err as Error).name})`);
      }
      if (!isValidKey(key, keys)) throw unauthorized();
    },
  };
}

function bearer(value: string | undefined): string | undefined {
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1];
}

/** The serving model(s), or 503 while there is none (first deploy, registry empty, storage down). */
import { unavailable } from '../../lib/http/http-error.ts';
import type { ModelRouter, RoutedModel } from '../../lib/release/model-router.ts';
import { NoModelError, type ServingModel } from '../../lib/serving/model-provider.ts';
import { getService } from './service.ts';

async function router(): Promise<ModelRouter> {
  try {
    return (await getService()).router;
  } catch (err) {
    throw unavailable(`the service cannot start: ${(err as Error).message}`);
  }
}

async function orUnavailable<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof NoModelError) throw unavailable(err.message);
    throw err;
  }
}

/** The model a request key is routed to under the traffic policy. */
export async function routedModel(key: string): Promise<RoutedModel> {
  const r = await router();
  return orUnavailable(() => r.route(key));
}

/** The model of the policy's first route (the champion, the active colour...). */
export async function servingModel(): Promise<ServingModel> {
  const r = await router();
  const policy = await r.policy();
  return orUnavailable(() => r.provider(policy.routes[0].alias).current());
}

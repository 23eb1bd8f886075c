/** The model a request names and its serving model(s), or 503 while there is none (first deploy, registry empty, storage down). */
import type { HttpEvent } from '../../lib/http/api-types.ts';
import { unavailable } from '../../lib/http/http-error.ts';
import type { RoutedModel } from '../../lib/release/model-router.ts';
import { NoModelError, type ServingModel } from '../../lib/serving/model-provider.ts';
import type { ModelScope } from './model-scopes.ts';
import { requestedModel } from './requested-model.ts';
import { getBasics, getService, type Service } from './service.ts';

async function service(): Promise<Service> {
  try {
    return await getService();
  } catch (err) {
    throw unavailable(`the service cannot start: ${(err as Error).message}`);
  }
}

/** The parts of the model `event` is about (functions/runtime/requested-model.ts): 404 for a model nobody registered. */
export async function requestedScope(event: HttpEvent): Promise<ModelScope> {
  const name = requestedModel(event);
  return (await service()).models.get(name);
}

/** The name of the model `event` is about, checked to be registered (404 otherwise), for routes that only read or change the registry. */
export async function knownModel(event: HttpEvent): Promise<string> {
  const name = requestedModel(event);
  return (await service()).models.require(name);
}

/** 404 when `event` names a model nobody registered; nothing to check when it names none (the default model). */
export async function checkNamedModel(event: HttpEvent): Promise<void> {
  if (requestedModel(event) !== getBasics().config.MODEL_NAME) await knownModel(event);
}

async function orUnavailable<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof NoModelError) throw unavailable(err.message);
    throw err;
  }
}

/** The model a request key is routed to under the model's traffic policy. */
export async function routedModel(scope: ModelScope, key: string): Promise<RoutedModel> {
  return orUnavailable(() => scope.router.route(key));
}

/** The model of the policy's first route (the champion, the active colour...). */
export async function servingModel(scope: ModelScope): Promise<ServingModel> {
  const policy = await scope.router.policy();
  return orUnavailable(() => scope.router.provider(policy.routes[0].alias).current());
}

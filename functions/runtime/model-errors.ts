/** The serving model, or 503 while there is none (first deploy, registry empty, storage down). */
import { unavailable } from '../../lib/http/http-error.ts';
import { NoModelError, type ServingModel } from '../../lib/serving/model-provider.ts';
import { getService } from './service.ts';

export async function servingModel(): Promise<ServingModel> {
  let provider;
  try {
    provider = (await getService()).provider;
  } catch (err) {
    throw unavailable(`the service cannot start: ${(err as Error).message}`);
  }
  try {
    return await provider.current();
  } catch (err) {
    if (err instanceof NoModelError) throw unavailable(err.message);
    throw err;
  }
}

/**
 * GET /models: the models this service serves, the default first: each registered model's
 * aliases (alias -> version) and the mode of its traffic policy. Reads the registry (a listing
 * and each model's alias and traffic documents): O(models), not O(versions).
 */
import { getService, routeHandler, jsonResult, mapLimit } from './runtime/layer.ts';

export const handler = routeHandler('GET /models', async (_event, state) => {
  const { models, registry } = await getService();
  const names = await models.names();
  const described = await mapLimit(names, 4, async (name) => {
    const [aliases, traffic] = await Promise.all([registry.listAliases(name), registry.getTraffic(name)]);
    return {
      name,
      default: name === models.defaultName,
      aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
      traffic: traffic?.policy.mode ?? null,
    };
  });
  return jsonResult(200, {
    default: models.defaultName,
    models: described.sort((a, b) => Number(b.default) - Number(a.default)),
    requestId: state.requestId,
  });
});

/**
 * GET /model/canary (admin): the canary in force, if any: its plan and current step, when the
 * step began (so how long it has run), its bounds, and the controller's latest evaluation of
 * this step (the numbers it judged against the bounds, and what it decided). The console's
 * canary panel reads it.
 */
import { getService, routeHandler, jsonResult, knownModel, latestCanaryEvaluation } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/canary', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const [traffic, evaluation] = await Promise.all([
    registry.getTraffic(model),
    latestCanaryEvaluation(registry, model),
  ]);
  if (!traffic || traffic.policy.mode !== 'canary')
    return jsonResult(200, { canary: null, requestId: state.requestId });
  const { policy, revision, since } = traffic;
  return jsonResult(200, {
    canary: {
      revision,
      champion: policy.champion,
      challenger: policy.challenger,
      steps: policy.steps,
      step: policy.step,
      share: policy.steps[policy.step],
      stepSince: since,
      stepMinutes: policy.stepMinutes,
      bounds: policy.bounds,
      // An evaluation of an earlier revision (an earlier step) is not this step's.
      evaluation: evaluation && evaluation.revision === revision ? evaluation : null,
    },
    requestId: state.requestId,
  });
});

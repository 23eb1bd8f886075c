/**
 * The host's side of scoring under the traffic policy (lib/release/routed-scoring.ts): the model
 * scope's router and capture, the service's counters and settings, and the access line's fields.
 */
import type { RequestState } from '../../lib/http/request-state.ts';
import { scoreRouted as scoreUnderPolicy, type RoutedPrediction } from '../../lib/release/routed-scoring.ts';
import type { ExplainQuery } from '../../lib/serving/explain-query.ts';
import type { ParsedPredictRequest } from '../../lib/serving/predict-request.ts';
import type { ModelScope } from './model-scopes.ts';
import { getBasics, settleCapture } from './service.ts';

export { predictExplained } from '../../lib/release/routed-scoring.ts';

export async function scoreRouted(
  scope: ModelScope,
  request: ParsedPredictRequest,
  state: RequestState,
  fallbackKey: string,
  explain: ExplainQuery | null = null,
): Promise<RoutedPrediction[]> {
  const { config, metrics } = getBasics();
  const { router, capture } = scope;
  const { predictions, logFields } = await scoreUnderPolicy(
    {
      router,
      capture,
      metrics,
      captureFeaturesRate: config.CAPTURE_FEATURES_RATE,
      settle: () => settleCapture(capture),
    },
    request,
    state.requestId,
    fallbackKey,
    explain,
  );
  state.logFields = { ...state.logFields, ...logFields };
  return predictions;
}

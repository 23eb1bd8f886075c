/**
 * Everything the function handlers use, in one module: this is the Lambda layer's entry. The
 * build (scripts/build.ts) bundles it with lib/ and the runtime dependencies into the layer
 * package `credit-score-model`, and bundles each handler with this import left external, so a
 * function zip holds only its handler. Handlers import nothing else but node built-ins.
 */
export { routeHandler, type RouteHandler, type ServedHandler } from './http-handler.ts';
export { byRoute, noRoute } from './dispatch.ts';
export { getBasics, getService, settleCapture, shutdownService } from './service.ts';
export { knownModel, requestedScope, routedModel, servingModel } from './model-errors.ts';
export type { ModelScope } from './model-scopes.ts';
export { requestedModel } from './requested-model.ts';
export { jsonResult, textResult, type HttpEvent } from '../../lib/http/api-types.ts';
export { flushingEmf } from '../../lib/observability/emf.ts';
export { badRequest, conflict, notFound, unavailable, unprocessable } from '../../lib/http/http-error.ts';
export { invalidRequest } from '../../lib/http/zod-problems.ts';
export { actorOf } from '../../lib/http/actor.ts';
export { clip } from '../../lib/util/clip.ts';
export { policyAliases, policyProblems, resolvePolicy, trafficPolicySchema } from '../../lib/release/traffic-policy.ts';
export { aliasMoveSchema, forceProblem, promoteSchema, rollbackTarget } from '../../lib/release/alias-moves.ts';
export { promotionGate } from '../../lib/release/promotion-gate.ts';
export { promotionPolicyRequestSchema } from '../../lib/release/promotion-policy.ts';
export { NO_POLICY, PromotionPolicies } from '../../lib/registry/promotion-policies.ts';
export { feedbackSchema, readFeedback, saveFeedback } from '../../lib/release/feedback.ts';
export {
  acceptedLabels,
  captureFeatures,
  labelledAnswers,
  readCaptures,
  type CapturedPrediction,
} from '../../lib/release/prediction-capture.ts';
export { capturedAnswers, FEEDBACK_LOOKBACK_MINUTES } from '../../lib/release/captured-request.ts';
export { twoProportionZTest } from '../../lib/evaluation/significance.ts';
export { completePendingPromotion, latestCanaryEvaluation, runCanaryCheck } from '../../lib/release/canary-check.ts';
export { parsePredictRequest } from '../../lib/serving/predict-request.ts';
export { parseExplainQuery } from '../../lib/serving/explain-query.ts';
export { scoreRouted, predictExplained } from './score-routed.ts';
export {
  inferenceResponse,
  modelMetadata,
  parseInferenceRequest,
  recordsFromInputs,
} from '../../lib/serving/open-inference.ts';
export { NoModelError } from '../../lib/serving/model-provider.ts';
export { featureColumns } from '../../lib/data/spec.ts';
export { NAME_PATTERN } from '../../lib/state/layout.ts';
export { cleanRecords, parseCsv } from '../../lib/data/dataset.ts';
export {
  capturedCounts,
  driftCheckRequestSchema,
  type DriftInput,
  exportDriftMetrics,
  latestDriftReport,
  runDriftCheck,
} from '../../lib/drift/drift-service.ts';
export { driftDeps } from './drift.ts';
export { withSummary } from '../../lib/drift/drift-summary.ts';
export { retrainRequestSchema } from '../../lib/retrain/retrain-request.ts';
export { runRetrainJob } from '../../lib/retrain/run-retrain-job.ts';
export { exportRecentJobOutcomes, recentJobOutcomes } from '../../lib/retrain/recent-job-outcomes.ts';
export { NoTrainingDataError, startRetrain } from '../../lib/retrain/start-retrain.ts';
export { housekeepingNow } from './housekeeping.ts';
export { rollUpReporting } from './roll-up.ts';
export { listVersionSummaries, versionDetail } from '../../lib/registry/version-catalog.ts';
export { readModelCard } from '../../lib/governance/model-card.ts';
export { parsePageQuery } from '../../lib/http/page-query.ts';
export { pageOfIds } from '../../lib/registry/pagination.ts';
export { openApiDocument } from '../../lib/http/openapi.ts';
export { consoleAssets } from '../../lib/console/console-assets.ts';
export { mapLimit } from '../../lib/util/map-limit.ts';
export { approveChangeRequest, fileIfFourEyes, rejectChangeRequest } from '../../lib/governance/approval-flow.ts';
export { approvalView, rejectRequestSchema } from '../../lib/governance/approval-request.ts';
export { ApprovalRequests } from '../../lib/governance/approval-requests.ts';
export { fourEyesTrafficGate } from '../../lib/governance/approval-traffic.ts';

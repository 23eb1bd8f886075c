/**
 * Scoring records under the traffic policy, shared by POST /predict and the Open Inference
 * Protocol's unversioned infer: each record goes to the variant the policy routes it to (sticky
 * per customer: the spec's first identifier, else the caller's key), and each variant's records are
 * scored as one batch. Under a shadow policy the challenger scores the same records; its answers
 * are compared, counted and captured, never returned. Every answer (and every variant failure) is
 * captured for the canary controller and the A/B reports; each variant that served the request gets
 * one latency sample for it. Transport-free: the host hands in its router, capture, counters and
 * how to settle the capture (functions/runtime/score-routed.ts), and logs the fields answered.
 */
import type { CleanRow } from '../data/clean-record.ts';
import { ExplainUnavailableError } from '../explain/tree-shap.ts';
import { emitEmf } from '../observability/emf.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { resolveExplainMethod, type ExplainQuery } from '../serving/explain-query.ts';
import { NoModelError, type ServingModel } from '../serving/model-provider.ts';
import type { ParsedPredictRequest } from '../serving/predict-request.ts';
import type { Prediction, Predictor } from '../serving/predictor.ts';
import { conflictWith } from '../util/domain-error.ts';
import type { ModelRouter } from './model-router.ts';
import {
  captureFeatures,
  capturedGroups,
  type CapturedPrediction,
  type PredictionCapture,
} from './prediction-capture.ts';

export interface RoutedPrediction extends Prediction {
  model: { name: string; version: string; alias: string; variant: string };
}

export interface RoutedScoringDeps {
  router: ModelRouter;
  capture: PredictionCapture;
  metrics: Pick<ServiceMetrics, 'predictions' | 'shadowPredictions'>;
  /** The share of answers captured with their features and probabilities (CAPTURE_FEATURES_RATE). */
  captureFeaturesRate: number;
  /** After the answers are captured: a host whose timers sleep between requests flushes here when due. */
  settle: () => Promise<void>;
}

export interface RoutedScoring {
  predictions: RoutedPrediction[];
  /** What the request's access line names: the model served, the records, the shadow's agreement. */
  logFields: Record<string, string | number>;
}

/**
 * The predictions of `request`'s records, in order. `fallbackKey` routes records without an
 * identifier; `explain` adds reasons. A variant that cannot load its model fails the request
 * (NoModelError: 503) before any record is scored.
 */
export async function scoreRouted(
  deps: RoutedScoringDeps,
  request: ParsedPredictRequest,
  requestId: string,
  fallbackKey: string,
  explain: ExplainQuery | null = null,
): Promise<RoutedScoring> {
  const { router, capture, metrics } = deps;
  const { rows, records, keys } = request;
  // Service time starts here: a cold start (the container, the first model) is not the model's speed.
  const started = process.hrtime.bigint();
  let waitedForModel = false;
  const captured: CapturedPrediction[] = [];
  const predictions: RoutedPrediction[] = [];
  const shadow = { compared: 0, agreed: 0, version: '' };
  try {
    // Every record routed under one read of the policy, then each variant's model found once.
    const picks = await router.pickAll(rows.map((_, i) => keys[i] ?? fallbackKey));
    const models = new Map<string, ServingModel>();
    for (let i = 0; i < picks.length; i++) {
      const { route } = picks[i];
      if (models.has(route.alias)) continue;
      const provider = router.provider(route.alias);
      let model = provider.peek();
      if (!model) {
        waitedForModel = true;
        try {
          model = await provider.current();
        } catch (err) {
          const error = err instanceof NoModelError && err.storageUnavailable ? 'unavailable' : 'model';
          captured.push({
            requestId,
            index: i,
            at: Date.now(),
            version: 'none',
            alias: route.alias,
            variant: route.variant,
            ok: false,
            error,
          });
          throw new NoModelError(
            `variant ${route.variant} (${route.alias}) cannot serve: ${(err as Error).message}`,
            error === 'unavailable',
          );
        }
      } else provider.refreshInBackground();
      models.set(route.alias, model);
    }
    // Each model scores its records as one batch (the ensemble's batch path); reasons are per record.
    const answers = scoreByModel(
      picks.map((p) => models.get(p.route.alias)!),
      (model, i) => predictExplained(model.predictor, rows[i], records[i], explain, model.version, rows.length),
      rows,
      explain !== null,
    );
    const challengers = picks.map(({ point }) => router.shadowFor(point));
    const shadowAnswers = scoreByModel(challengers, (model, i) => model.predictor.predictClean(rows[i]), rows, false);
    const at = Date.now();
    for (let i = 0; i < rows.length; i++) {
      const { route } = picks[i];
      const model = models.get(route.alias)!;
      const p = answers[i]!;
      metrics.predictions.inc({
        class: p.label,
        model: model.name,
        version: model.version,
        alias: model.alias,
        variant: route.variant,
      });
      emitEmf(
        { Model: model.name, Version: model.version, Variant: route.variant, Class: p.label },
        { Predictions: { value: 1, unit: 'Count' } },
      );
      predictions.push({
        ...p,
        model: { name: model.name, version: model.version, alias: model.alias, variant: route.variant },
      });
      const challenger = challengers[i];
      const shadowLabel = shadowAnswers[i]?.label;
      if (challenger && shadowLabel) {
        const agree = shadowLabel === p.label;
        metrics.shadowPredictions.inc({ model: challenger.name, version: challenger.version, agree: String(agree) });
        shadow.compared++;
        shadow.agreed += agree ? 1 : 0;
        shadow.version = challenger.version;
      }
      captured.push({
        requestId,
        index: i,
        at,
        version: model.version,
        alias: model.alias,
        variant: route.variant,
        predicted: p.label,
        ok: true,
        ...(challenger && shadowLabel ? { shadow: { version: challenger.version, predicted: shadowLabel } } : {}),
        ...capturedGroups(model.predictor.bundle.spec, records[i]),
        ...(Math.random() < deps.captureFeaturesRate
          ? { features: captureFeatures(rows[i]), probabilities: p.probabilities }
          : {}),
      });
    }
  } finally {
    // One latency sample per request and variant: the request's service time, unless it waited
    // for a model to load or explained its answers (that time is not the model's speed, and the
    // canary's latency bound must not judge it).
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const sampled = new Set<string>();
    for (const record of waitedForModel || explain ? [] : captured) {
      if (sampled.has(record.variant)) continue;
      sampled.add(record.variant);
      record.latencyMs = latencyMs;
    }
    capture.add(captured);
    await deps.settle();
  }
  const served = predictions[0].model;
  return {
    predictions,
    logFields: {
      'model.name': served.name,
      'model.version': served.version,
      'model.variant': served.variant,
      instances: rows.length,
      ...(shadow.compared
        ? { 'shadow.version': shadow.version, 'shadow.compared': shadow.compared, 'shadow.agreed': shadow.agreed }
        : {}),
    },
  };
}

/**
 * The prediction of each record by its model (null where it has none): the records of one model
 * scored as one batch, or one by one (`one`) where each needs its own answer (reasons).
 */
function scoreByModel(
  modelOf: (ServingModel | null)[],
  one: (model: ServingModel, i: number) => Prediction,
  rows: CleanRow[],
  eachAlone: boolean,
): (Prediction | null)[] {
  const answers: (Prediction | null)[] = new Array<Prediction | null>(rows.length).fill(null);
  const byModel = new Map<ServingModel, number[]>();
  modelOf.forEach((model, i) => {
    if (!model) return;
    if (eachAlone) answers[i] = one(model, i);
    else {
      const indices = byModel.get(model);
      if (indices) indices.push(i);
      else byModel.set(model, [i]);
    }
  });
  for (const [model, indices] of byModel) {
    const scored = model.predictor.predictCleanBatch(indices.map((i) => rows[i]));
    indices.forEach((i, j) => (answers[i] = scored[j]));
  }
  return answers;
}

/** A prediction, with its reasons when asked for; a model saved without covers is a 409 naming the version. */
export function predictExplained(
  predictor: Predictor,
  row: CleanRow,
  record: Record<string, unknown>,
  explain: ExplainQuery | null,
  version: string,
  rows = 1,
): Prediction {
  if (!explain) return predictor.predictClean(row);
  try {
    const method = resolveExplainMethod(explain, predictor.exactExplainCost(), rows);
    return predictor.predictClean(row, { top: explain.top, method, valueOf: (column) => record[column] });
  } catch (err) {
    if (err instanceof ExplainUnavailableError)
      throw conflictWith(`model version ${version} cannot explain its predictions: ${err.message}`);
    throw err;
  }
}

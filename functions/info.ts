/**
 * GET /model/info (`?model=` names one, else the default model): what is serving, how it was trained and scored, and how to call it. Answered
 * from memory, as docs/consistency.md promises, with the store up or not: the model is the one loaded,
 * and the aliases are the router's view of them (the ones the traffic policy serves), read from
 * storage in the background; `aliasesCheckedAt` and `aliasesAgeSeconds` say how old that view is.
 */
import { featureColumns, routeHandler, jsonResult, requestedScope, servingModel } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/info', async (event, state) => {
  const scope = await requestedScope(event);
  const model = await servingModel(scope);
  const { router } = scope;
  const view = router.status().aliases;
  const aliases = view.map((a) => ({
    alias: a.alias,
    version: a.version,
    // Where the alias points when that is not what serves (a refused version, or a fallback serving).
    ...(a.pointer ? { pointsAt: a.pointer } : {}),
    ...(a.fallback ? { fallback: a.fallback } : {}),
    checkedAt: a.lastCheck,
  }));
  // The view is as old as its oldest read; null when an alias has never been read.
  const checks = view.map((a) => (a.lastCheck ? Date.parse(a.lastCheck) : null));
  const oldest = checks.includes(null) || !checks.length ? null : Math.min(...(checks as number[]));
  const bundle = model.predictor.bundle;
  const spec = bundle.spec;
  const baseline = bundle.baseline;
  const sample: Record<string, string | number | null> = {};
  for (const b of baseline.numeric)
    sample[b.column] = b.count ? Number((b.edges[Math.floor(b.edges.length / 2)] ?? b.mean).toFixed(2)) : null;
  for (const b of [...baseline.categorical])
    sample[b.column] = Object.entries(b.frequencies).sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
  for (const b of baseline.multiLabel) sample[b.column] = Object.keys(b.frequencies).slice(0, 2).join(', and ') || null;
  state.logFields = { ...state.logFields, 'model.version': model.version };
  return jsonResult(200, {
    model: {
      name: model.name,
      version: model.version,
      alias: model.alias,
      classifier: bundle.classifier,
      sampler: bundle.sampler,
      loadedAt: model.loadedAt,
      loadMs: Number(model.loadMs.toFixed(1)),
    },
    registration: model.registration,
    aliases,
    aliasesCheckedAt: oldest === null ? null : new Date(oldest).toISOString(),
    aliasesAgeSeconds: oldest === null ? null : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
    metrics: bundle.metrics,
    params: bundle.params,
    data: bundle.data,
    // The predicted class is argmax p[k] * weights[k]; null: the most probable class.
    decision: bundle.decision ?? null,
    // The probabilities served went through these calibrators (method, per-class curves, nested Brier); null: the model's own.
    calibration: bundle.calibration ?? null,
    classes: spec.target.classes,
    featureSchema: {
      required: featureColumns(spec),
      optional: [...spec.identifiers, spec.target.column],
      numeric: spec.numeric.map((c) => ({
        column: c.column,
        min: c.min ?? null,
        max: c.max ?? null,
        missingTokens: c.missingTokens,
      })),
      duration: spec.duration.map((c) => ({ column: c.column, format: 'N Years and M Months, or months' })),
      categorical: bundle.preprocessor.categorical.map((c) => ({
        column: c.column,
        encoding: c.encoding,
        levels: c.encoding === 'onehot' ? c.levels : c.order,
      })),
      multiLabel: bundle.preprocessor.multiLabel.map((c) => ({ column: c.column, labels: c.labels })),
      encodedFeatures: bundle.preprocessor.featureNames.length,
    },
    sampleRequest: sample,
    manifest: { formatVersion: model.manifest.formatVersion, files: model.manifest.files },
    requestId: state.requestId,
  });
});

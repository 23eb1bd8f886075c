/** GET /model/info: what is serving, how it was trained and scored, and how to call it. */
import { featureColumns, getService, httpHandler, jsonResult, servingModel } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/info' }, async (_event, state) => {
  const model = await servingModel();
  const { registry, router } = await getService();
  // The model is in memory; the alias list needs storage, and is left out (not failed) when it does not answer.
  const aliases = await registry.listAliases(model.name).then(
    (list) => list.map((a) => ({ alias: a.alias, version: a.version, movedAt: a.event.at })),
    () => null,
  );
  const bundle = model.predictor.bundle;
  const spec = bundle.spec;
  const baseline = bundle.baseline;
  const sample: Record<string, string | number | null> = {};
  for (const b of baseline.numeric) sample[b.column] = b.count ? Number(((b.edges[Math.floor(b.edges.length / 2)] ?? b.mean)).toFixed(2)) : null;
  for (const b of [...baseline.categorical]) sample[b.column] = Object.entries(b.frequencies).sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
  for (const b of baseline.multiLabel) sample[b.column] = Object.keys(b.frequencies).slice(0, 2).join(', and ') || null;
  state.logFields = { ...state.logFields, 'model.version': model.version };
  return jsonResult(200, {
    model: { name: model.name, version: model.version, alias: model.alias, classifier: bundle.classifier, sampler: bundle.sampler, loadedAt: model.loadedAt, loadMs: Number(model.loadMs.toFixed(1)) },
    registration: model.registration,
    aliases,
    serving: router.status().aliases.map((a) => ({ alias: a.alias, version: a.version, ...(a.fallback ? { fallback: a.fallback } : {}) })),
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
      numeric: spec.numeric.map((c) => ({ column: c.column, min: c.min ?? null, max: c.max ?? null, missingTokens: c.missingTokens })),
      duration: spec.duration.map((c) => ({ column: c.column, format: 'N Years and M Months, or months' })),
      categorical: bundle.preprocessor.categorical.map((c) => ({ column: c.column, encoding: c.encoding, levels: c.encoding === 'onehot' ? c.levels : c.order })),
      multiLabel: bundle.preprocessor.multiLabel.map((c) => ({ column: c.column, labels: c.labels })),
      encodedFeatures: bundle.preprocessor.featureNames.length,
    },
    sampleRequest: sample,
    manifest: { formatVersion: model.manifest.formatVersion, files: model.manifest.files },
    requestId: state.requestId,
  });
});

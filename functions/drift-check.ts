/**
 * POST /drift/check (admin): the drift check now, over {"dataKey": "data/x.csv"} (a CSV in the
 * bucket: under data/, no "..", at most 512 characters), {"csv": "..."} (CSV text, within the
 * body limit), or {} (the captured window). ?apply=true also applies the drift policy (notify,
 * retrain) as the schedule does.
 */
import {
  capturedCounts,
  cleanRecords,
  driftCheckRequestSchema,
  driftDeps,
  getService,
  routeHandler,
  requestedScope,
  invalidRequest,
  jsonResult,
  parseCsv,
  runDriftCheck,
  servingModel,
  unprocessable,
  withSummary,
  type DriftInput,
} from './runtime/layer.ts';

export const handler = routeHandler('POST /drift/check', async (event, state) => {
  const parsed = driftCheckRequestSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('drift check request', parsed.error);
  const scope = await requestedScope(event);
  const model = await servingModel(scope);
  const deps = await driftDeps(scope.name);
  const apply = event.queryStringParameters?.apply === 'true';
  let input: DriftInput;
  let source;
  const { dataKey, csv } = parsed.data;
  if (dataKey || csv) {
    let text = csv;
    if (dataKey) {
      const object = await (await getService()).store.get(dataKey);
      if (!object)
        throw unprocessable('the data is not in the bucket', [{ field: 'dataKey', message: 'no such object' }]);
      text = new TextDecoder().decode(object.bytes);
    }
    const name = dataKey ?? 'uploaded CSV';
    try {
      input = { rows: cleanRecords(parseCsv(text!, name), model.predictor.bundle.spec, name) };
    } catch (err) {
      throw unprocessable((err as Error).message, [
        { field: dataKey ? 'dataKey' : 'csv', message: (err as Error).message },
      ]);
    }
    source = { kind: 'upload' as const, ...(dataKey ? { dataKey } : {}) };
  } else {
    const captured = await capturedCounts(deps, model);
    input = { counts: captured.counts };
    source = captured.source;
  }
  const report = await runDriftCheck(deps, model, input, source, apply);
  state.logFields = { ...state.logFields, 'drift.id': report.id, 'drift.verdict': report.verdict };
  return jsonResult(200, { ...withSummary(report), requestId: state.requestId });
});

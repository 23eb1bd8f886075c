/**
 * POST /feedback (admin): {"requestId", "index"?, "actual"} records the true class of a served
 * prediction; the canary controller and the A/B report join it with the captured answers. A
 * request id among no captured answer of the last week is a 404 (a label for it would never
 * count), an index past the request's instances a 422; an answer still in this container's
 * capture buffer counts as captured.
 */
import {
  acceptedLabels,
  capturedAnswers,
  clip,
  conflict,
  FEEDBACK_LOOKBACK_MINUTES,
  feedbackSchema,
  getBasics,
  getService,
  routeHandler,
  invalidRequest,
  jsonResult,
  labelledAnswers,
  requestedScope,
  notFound,
  saveFeedback,
  servingModel,
  settleCapture,
  unprocessable,
} from './runtime/layer.ts';

export const handler = routeHandler('POST /feedback', async (event, state) => {
  const parsed = feedbackSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('feedback', parsed.error);
  const { requestId, index, actual } = parsed.data;
  const scope = await requestedScope(event);
  const model = scope.name;
  const classes = (await servingModel(scope)).predictor.classes;
  if (!classes.includes(actual))
    throw unprocessable(`actual must be one of ${classes.join(', ')}`, [
      { field: 'actual', message: 'not a class of this model' },
    ]);
  const { config } = getBasics();
  const { store } = await getService();
  const { capture } = scope;
  const { answers } = await capturedAnswers(capture, store, model, requestId, config.CAPTURE_FLUSH_SECONDS * 1000);
  if (answers === null) {
    throw notFound(
      `no prediction with requestId ${clip(requestId)} among the answers captured in the last ${FEEDBACK_LOOKBACK_MINUTES / 1440} days (an answer reaches storage within CAPTURE_FLUSH_SECONDS of being served)`,
    );
  }
  const instances = Math.max(...answers.map((a) => a.index)) + 1;
  if (index >= instances) {
    throw unprocessable(
      `index ${index} is beyond request ${clip(requestId)}, which had ${instances} instance${instances === 1 ? '' : 's'} (index 0 to ${instances - 1})`,
      [{ field: 'index', message: `at most ${instances - 1}` }],
    );
  }
  // What each variant answered for this record, kept with the label and counted in the summaries.
  const given = labelledAnswers(answers, index);
  const at = Date.now();
  const saved = await saveFeedback(store, model, answers[0].at, { requestId, index, actual, at, answers: given });
  if (!saved.created) {
    // A retry of the same label changes nothing; another class for the same answer is a contradiction, not an update.
    if (saved.existing.actual !== actual)
      throw conflict(
        `answer ${index} of request ${clip(requestId)} was labelled ${clip(saved.existing.actual)} at ${new Date(saved.existing.at).toISOString()}; a label is kept as given`,
      );
    return jsonResult(202, { feedbackId: `${requestId}.${index}`, duplicate: true, requestId: state.requestId });
  }
  capture.addLabels(acceptedLabels(given, actual, at));
  // On Lambda the label's count is written before the answer: a frozen container may never flush it.
  await settleCapture(capture, true);
  return jsonResult(202, { feedbackId: `${requestId}.${index}`, requestId: state.requestId });
});

/**
 * POST /feedback (admin): {"requestId", "index"?, "actual"} records the true class of a served
 * prediction; the canary controller and the A/B report join it with the captured answers.
 */
import { feedbackSchema, getBasics, getService, httpHandler, invalidRequest, jsonResult, saveFeedback, servingModel, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /feedback', body: true, admin: true }, async (_event, state) => {
  const parsed = feedbackSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('feedback', parsed.error);
  const classes = (await servingModel()).predictor.classes;
  if (!classes.includes(parsed.data.actual)) throw unprocessable(`actual must be one of ${classes.join(', ')}`, [{ field: 'actual', message: 'not a class of this model' }]);
  const { config } = getBasics();
  const id = await saveFeedback((await getService()).store, config.MODEL_NAME, { ...parsed.data, at: Date.now() });
  return jsonResult(202, { feedbackId: id, requestId: state.requestId });
});

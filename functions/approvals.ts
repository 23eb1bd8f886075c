/**
 * Four-eyes change requests (docs/four-eyes.md), one function for their four routes (`handler`
 * dispatches by method and path on Lambda):
 *   GET  /model/approvals                 (viewer) newest first, ?limit=N&before=ID pages; each
 *                                         with its status now (pending, expired, done...)
 *   GET  /model/approvals/{id}            (viewer) one request
 *   POST /model/approvals/{id}/approve    (approver) one more principal approves; the last
 *                                         approval makes the move (200 with its event)
 *   POST /model/approvals/{id}/reject     (operator here; an approver, or the requester
 *                                         withdrawing their own) {"reason"?}
 */
import {
  ApprovalRequests,
  approvalView,
  approveChangeRequest,
  getService,
  byRoute,
  routeHandler,
  invalidRequest,
  jsonResult,
  notFound,
  parsePageQuery,
  rejectChangeRequest,
  rejectRequestSchema,
  requestedScope,
  knownModel,
  type HttpEvent,
} from './runtime/layer.ts';

const idOf = (event: HttpEvent): string => event.pathParameters?.id ?? '';

export const list = routeHandler('GET /model/approvals', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const page = await new ApprovalRequests(registry.docs).page(
    model,
    parsePageQuery(event.queryStringParameters, 50, 200),
  );
  const now = Date.now();
  return jsonResult(200, {
    model,
    requests: page.items.map((r) => approvalView(r, now)),
    next: page.next,
    requestId: state.requestId,
  });
});

export const detail = routeHandler('GET /model/approvals/{id}', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const request = await new ApprovalRequests(registry.docs).get(model, idOf(event));
  if (!request) throw notFound(`no change request ${idOf(event).slice(0, 80)} for model ${model}`);
  return jsonResult(200, { request: approvalView(request, Date.now()), requestId: state.requestId });
});

export const approve = routeHandler('POST /model/approvals/{id}/approve', async (event, state) => {
  const { name: model, router } = await requestedScope(event);
  const { config, registry } = await getService();
  const { request, event: moved } = await approveChangeRequest(registry, model, idOf(event), state.principal);
  if (moved) {
    await router.refreshAfterChange();
    state.logFields = {
      ...state.logFields,
      alias: request.alias,
      'model.version': moved.to,
      'event.id': moved.eventId,
    };
  }
  return jsonResult(200, {
    request: approvalView(request, Date.now()),
    event: moved,
    ...(moved ? { refreshSeconds: config.ALIAS_REFRESH_SECONDS } : {}),
    requestId: state.requestId,
  });
});

export const reject = routeHandler('POST /model/approvals/{id}/reject', async (event, state) => {
  const parsed = rejectRequestSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('reject request', parsed.error);
  const model = await knownModel(event);
  const { registry } = await getService();
  const request = await rejectChangeRequest(registry, model, idOf(event), state.principal!, parsed.data.reason);
  return jsonResult(200, { request: approvalView(request, Date.now()), requestId: state.requestId });
});

export const handler = byRoute(list, detail, approve, reject);

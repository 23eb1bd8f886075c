/**
 * One ECS access-log line and the HTTP metrics per request, errors mapped to their JSON answer
 * (error-response.ts). Expected failures (4xx, 503) log at warn with their code; unexpected ones
 * at error with the stack, which only the log sees.
 */
import { emitEmf } from '../observability/emf.ts';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { errorToResult, toHttpError, type ErrorShape } from './error-response.ts';
import { stateOf, type HttpMiddleware, type HttpRequest } from './request-state.ts';

export function observe(
  route: string,
  deps: () => { logger: Logger; metrics: ServiceMetrics },
  errorShape: ErrorShape = 'api',
): HttpMiddleware {
  const finish = (request: HttpRequest, error?: Error): void => {
    const s = stateOf(request.event);
    const response = request.response!;
    response.headers = { ...response.headers, 'x-request-id': s.requestId };
    const seconds = Number(process.hrtime.bigint() - s.startedAt) / 1e9;
    const { logger, metrics } = deps();
    const method = request.event.requestContext?.http?.method ?? 'GET';
    const labels = { route, method, status: String(response.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    emitEmf(
      { Route: route, Status: labels.status },
      { Requests: { value: 1, unit: 'Count' }, Latency: { value: seconds * 1000, unit: 'Milliseconds' } },
    );
    const fields = {
      'log.logger': 'access',
      'http.request.id': s.requestId,
      'http.request.method': method,
      'url.path': request.event.rawPath,
      'http.response.status_code': response.statusCode,
      'event.duration': Math.round(seconds * 1e9),
      route,
      ...s.logFields,
    };
    const expected = error ? toHttpError(error) : null;
    if (error && (!expected || (expected.status >= 500 && expected.status !== 503)))
      logger.error({ ...fields, err: error }, `${route} failed`);
    // A 4xx message can quote what was sent (cut to 64 characters): the log keeps the code and the fields, never the values.
    else if (error && expected && expected.status < 500)
      logger.warn(
        {
          ...fields,
          'error.code': expected.code,
          ...(expected.details ? { 'error.fields': expected.details.map((d) => d.field) } : {}),
        },
        `${route} ${response.statusCode} ${expected.code}`,
      );
    else if (error && expected)
      logger.warn(
        { ...fields, 'error.code': expected.code, 'error.message': expected.message },
        `${route} ${response.statusCode}`,
      );
    else logger.info(fields, `${route} ${response.statusCode}`);
  };
  return {
    after: (request) => finish(request),
    onError: (request) => {
      request.response = errorToResult(request.error!, stateOf(request.event).requestId, errorShape);
      finish(request, request.error!);
    },
  };
}

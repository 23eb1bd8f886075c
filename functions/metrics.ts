/** GET /metrics: this container's Prometheus metrics, text exposition format. */
import { textResult } from '../lib/http/api-types.ts';
import { httpHandler } from './runtime/http-handler.ts';
import { getBasics } from './runtime/service.ts';

export const handler = httpHandler({ route: 'GET /metrics' }, async () => {
  const { registry } = getBasics().metrics;
  return textResult(200, await registry.metrics(), registry.contentType);
});

/** GET /metrics: this container's Prometheus metrics, text exposition format. */
import { getBasics, httpHandler, textResult } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /metrics' }, async () => {
  const { registry } = getBasics().metrics;
  return textResult(200, await registry.metrics(), registry.contentType);
});

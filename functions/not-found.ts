/** Every route that does not exist: the documented 404 error shape, not the host's own page. */
import { httpHandler, notFound } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'not found' }, async (event) => {
  throw notFound(`no route ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''}`.trim());
});

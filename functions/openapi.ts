/** GET /openapi.json: the API's OpenAPI 3.1 document, generated from the handlers' zod schemas (lib/http/openapi.ts). */
import { routeHandler, jsonResult, openApiDocument } from './runtime/layer.ts';

let document: Record<string, unknown> | null = null;

export const handler = routeHandler('GET /openapi.json', async () => jsonResult(200, (document ??= openApiDocument())));

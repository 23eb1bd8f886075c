/**
 * The JSON body of a route that takes one: 415 for a non-JSON content type, 413 over the size
 * limit, 400 when empty (unless the route's fields are all optional: then an empty body is `{}`)
 * or malformed, 422 when it is not an object (null, false, an array, a string, a number). Error
 * messages say where the JSON broke, never what it said: no body fragment reaches a response or
 * a log.
 *
 * This is the one place that decides, on every host: the node:http adapter only stops buffering
 * past the same limit (MAX_BODY_BYTES, read by both through the service's configuration) and
 * hands on what it read with the client's content-length; serverless-offline hands on what its
 * own parser made of the body. Routes that take no body never look at one, on either host.
 * test/bad-input-table.test.ts runs one table of bad inputs over both.
 */
import { badRequest, tooLarge, unprocessable, unsupportedMediaType } from './http-error.ts';
import { stateOf, type HttpMiddleware } from './request-state.ts';

/** application/json, or any application/...+json, with parameters (charset) allowed; absent is taken as JSON. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

export interface JsonBodyOptions {
  /** An absent or blank body stands for `{}` (a route whose every field is optional). */
  emptyIsObject?: boolean;
}

/** The content-length the client declared (0 when absent or not a number). */
const declaredLength = (headers: Record<string, string | undefined> | undefined): number =>
  Number(headers?.['content-length'] ?? 0) || 0;

/**
 * The body's text. serverless-offline 13 parses JSON bodies itself (src/events/http/HttpServer.js,
 * then lambda-events/LambdaProxyIntegrationEventV2.js, which keeps the parsed value when it is a
 * string or falsy): falsy results (false, 0) come as values, `null` and `""` as no body at all,
 * and a JSON string as its decoded text. The content-length it passes on, the client's, tells
 * them apart: a `null` that was sent from a body that was not, and a decoded string from text
 * that was sent as it is (a decoded one is shorter than what was sent: its quotes are gone).
 */
function bodyText(event: {
  body?: unknown;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}): string {
  const declared = declaredLength(event.headers);
  if (typeof event.body === 'string') {
    // Measured only when a length was declared: a byte count of a 1,000-row batch is a scan of ~800 KB.
    const decoded = !event.isBase64Encoded && declared > 0 && declared > Buffer.byteLength(event.body, 'utf8');
    return decoded ? JSON.stringify(event.body) : event.body;
  }
  if (event.body === null || event.body === undefined) return declared > 0 ? 'null' : '';
  return JSON.stringify(event.body);
}

export function jsonBody(maxBytes: () => number, options: JsonBodyOptions = {}): HttpMiddleware {
  return {
    before: (request) => {
      const { event } = request;
      const contentType = event.headers?.['content-type'];
      if (!isJson(contentType)) throw unsupportedMediaType(contentType ?? '');
      const limit = maxBytes();
      // What the client declared is enough to refuse (the node:http adapter does not read past the limit).
      if (declaredLength(event.headers) > limit) throw tooLarge(`request body exceeds ${limit} bytes`);
      const raw = bodyText(event);
      // Cheap bound first: a base64 string is 4/3 of its bytes, UTF-8 at most 4 bytes a char.
      if (raw.length > limit * 4) throw tooLarge(`request body exceeds ${limit} bytes`);
      const text =
        event.isBase64Encoded && typeof event.body === 'string' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      // A string of n UTF-16 units is at most 3n bytes of UTF-8 (a surrogate pair, 2 units, is 4):
      // only a body near the limit is counted byte by byte.
      if (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit)
        throw tooLarge(`request body exceeds ${limit} bytes`);
      if (!/\S/.test(text)) {
        if (!options.emptyIsObject) throw badRequest('request body is empty: send a JSON object');
        stateOf(event).body = {};
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        const position = /position (\d+)/.exec((err as Error).message)?.[1];
        throw badRequest(`request body is not valid JSON${position ? ` (at character ${position})` : ''}`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
        throw unprocessable(`request body must be a JSON object, got ${got}`, [
          { field: '(body)', message: 'expected a JSON object' },
        ]);
      }
      stateOf(event).body = body;
    },
  };
}

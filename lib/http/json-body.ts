/**
 * The JSON body of a route that takes one: 415 for a non-JSON content type, 413 over the size
 * limit, 400 when empty (unless the route's fields are all optional: then an empty body is `{}`)
 * or malformed, 422 when it is not an object (null, false, an array, a scalar). Error messages
 * say where the JSON broke, never what it said: no body fragment reaches a response or a log.
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

/**
 * The body's text. serverless-offline parses JSON bodies itself and hands falsy results (false,
 * 0) through as values rather than text, and `null` as no body at all: the content-length it
 * passes on tells a `null` that was sent from a body that was not.
 */
function bodyText(event: { body?: unknown; headers?: Record<string, string | undefined> }): string {
  if (typeof event.body === 'string') return event.body;
  if (event.body === null || event.body === undefined) return Number(event.headers?.['content-length'] ?? 0) > 0 ? 'null' : '';
  return JSON.stringify(event.body);
}

export function jsonBody(maxBytes: () => number, options: JsonBodyOptions = {}): HttpMiddleware {
  return {
    before: (request) => {
      const { event } = request;
      const contentType = event.headers?.['content-type'];
      if (!isJson(contentType)) throw unsupportedMediaType(contentType ?? '');
      const raw = bodyText(event);
      const limit = maxBytes();
      // Cheap bound first: a base64 string is 4/3 of its bytes, UTF-8 at most 4 bytes a char.
      if (raw.length > limit * 4) throw tooLarge(`request body exceeds ${limit} bytes`);
      const text = event.isBase64Encoded && typeof event.body === 'string' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(text, 'utf8') > limit) throw tooLarge(`request body exceeds ${limit} bytes`);
      if (text.trim() === '') {
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
        throw unprocessable(`request body must be a JSON object, got ${got}`, [{ field: '(body)', message: 'expected a JSON object' }]);
      }
      stateOf(event).body = body;
    },
  };
}

/** An error that becomes an HTTP response: status, a stable code, a message, per-field details. */
import { clip } from '../util/clip.ts';
import type { FieldProblem } from '../util/domain-error.ts';

export type { FieldProblem } from '../util/domain-error.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'malformed_request', message);
export const unprocessable = (message: string, details: FieldProblem[]): HttpError =>
  new HttpError(422, 'invalid_request', message, details);
export const tooLarge = (message: string): HttpError => new HttpError(413, 'payload_too_large', message);
/** `oidc`: bearer tokens are accepted too, so the answer says so (RFC 6750's challenge beside ours). */
export const unauthorized = (oidc = false): HttpError =>
  oidc
    ? new HttpError(
        401,
        'unauthorized',
        'this route needs a valid admin API key in the x-api-key header or an OIDC bearer token (Authorization: Bearer)',
        undefined,
        { 'www-authenticate': 'ApiKey header="x-api-key", Bearer' },
      )
    : new HttpError(401, 'unauthorized', 'this route needs a valid admin API key in the x-api-key header', undefined, {
        'www-authenticate': 'ApiKey header="x-api-key"',
      });
export const forbidden = (message: string): HttpError => new HttpError(403, 'forbidden', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);
export const unavailable = (message: string): HttpError =>
  new HttpError(503, 'unavailable', message, undefined, { 'retry-after': '5' });
export const unsupportedMediaType = (contentType: string): HttpError =>
  new HttpError(
    415,
    'unsupported_media_type',
    `send the body as JSON with content-type: application/json (got ${clip(contentType)})`,
  );
export const gatewayTimeout = (): HttpError =>
  new HttpError(
    504,
    'timeout',
    'the request did not finish in time: a change it asked for may or may not have been made, so check before retrying one',
  );

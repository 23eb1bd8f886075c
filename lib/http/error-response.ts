/**
 * Every failure's HTTP answer, in one place: the documented error shape, a stable code, and
 * nothing internal (no stack, host, port or path). Storage that cannot be reached is a 503 with
 * retry-after on every route; a lost compare-and-swap race a 409; a write the store did not confirm
 * a 504 (it may have landed); an unexpected error a 500
 * that only quotes the request id.
 */
import { ContractMismatchError, PolicyRefusedError, RegistryError } from '../registry/model-registry.ts';
import { SecretsError } from '../secrets/service-secrets.ts';
import { NoModelError } from '../serving/model-provider.ts';
import { publicReason } from '../serving/public-reason.ts';
import { ConflictError, CorruptDocumentError, WriteOutcomeUnknownError } from '../state/document-store.ts';
import { StorageError } from '../storage/object-store.ts';
import { DomainError, type RefusalKind } from '../util/domain-error.ts';
import { jsonResult, type HttpResult } from './api-types.ts';
import {
  badRequest,
  conflict,
  forbidden,
  HttpError,
  notFound,
  tooLarge,
  unavailable,
  unprocessable,
} from './http-error.ts';

export function toHttpError(err: Error): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return refusalAnswer(err);
  if (err instanceof NoModelError) return unavailable(err.message);
  if (err instanceof ConflictError) return conflict(err.message);
  if (err instanceof ContractMismatchError)
    return new HttpError(409, 'contract_mismatch', err.message, err.differences);
  if (err instanceof PolicyRefusedError) return new HttpError(409, 'policy_refused', err.message, err.failed);
  if (err instanceof RegistryError) {
    if (err.code === 'not_found') return notFound(err.message);
    if (err.code === 'conflict') return conflict(err.message);
    return unprocessable(err.message, [{ field: 'version', message: err.message }]);
  }
  // The store lost the answer to a write that may have landed: as a gateway's timeout, check before retrying.
  if (err instanceof WriteOutcomeUnknownError) return new HttpError(504, 'write_outcome_unknown', err.message);
  if (err instanceof CorruptDocumentError) return new HttpError(500, 'corrupt_state', err.message);
  if (err instanceof StorageError)
    return err.failure === 'unavailable'
      ? unavailable(publicReason(err))
      : new HttpError(502, 'storage_error', publicReason(err));
  if (err instanceof SecretsError) return unavailable('secrets cannot be read right now');
  return null;
}

/** Each kind of refusal's answer (its status and default code); the error's own code where it has one. */
const REFUSAL_ANSWERS: Record<RefusalKind, (err: DomainError) => HttpError> = {
  malformed: (err) => badRequest(err.message),
  invalid: (err) => unprocessable(err.message, err.details ?? []),
  'too-large': (err) => tooLarge(err.message),
  forbidden: (err) => forbidden(err.message),
  'not-found': (err) => notFound(err.message),
  conflict: (err) => conflict(err.message),
};

function refusalAnswer(err: DomainError): HttpError {
  const answer = REFUSAL_ANSWERS[err.kind](err);
  return err.code ? new HttpError(answer.status, err.code, answer.message, answer.details, answer.headers) : answer;
}

/**
 * How a route's errors look: ours ({"error": {code, message, details}, requestId}) or the Open
 * Inference Protocol's ({"error": "message"}, the request id in the x-request-id header only).
 */
export type ErrorShape = 'api' | 'open-inference';

export function errorToResult(err: Error, requestId: string, shape: ErrorShape = 'api'): HttpResult {
  const http = toHttpError(err);
  if (shape === 'open-inference') {
    // Our messages already name the fields at fault (the first three, for a batch).
    if (http) return jsonResult(http.status, { error: http.message }, http.headers);
    return jsonResult(500, { error: `internal error; quote the request id ${requestId} when reporting it` });
  }
  if (http)
    return jsonResult(
      http.status,
      {
        error: { code: http.code, message: http.message, ...(http.details ? { details: http.details } : {}) },
        requestId,
      },
      http.headers,
    );
  return jsonResult(500, {
    error: { code: 'internal_error', message: 'internal error; quote the request id when reporting it' },
    requestId,
  });
}

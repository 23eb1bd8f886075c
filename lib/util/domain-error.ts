/**
 * What lib code throws when it refuses a request: the kind of refusal, in words, with the fields
 * at fault. lib/http/error-response.ts gives every kind its HTTP answer (the one place a status is
 * chosen), so domain code never imports transport (the layer rules: .dependency-cruiser.cjs).
 */

/** One field's problem: where (a dotted path, or a parameter's name) and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * malformed: the request cannot be read as what it claims to be; invalid: it reads, and its
 * values break the rules (details name each field); too-large: more than a request may carry;
 * forbidden: this principal may not do it; not-found: what it names does not exist; conflict:
 * the state does not allow it now (already done, decided, or waiting for approvals).
 */
export type RefusalKind = 'malformed' | 'invalid' | 'too-large' | 'forbidden' | 'not-found' | 'conflict';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly details?: FieldProblem[],
    /** A stable code more precise than the kind's, where the API documents one (error.code). */
    readonly code?: string,
  ) {
    super(message);
  }
}

export const invalidInput = (message: string, details: FieldProblem[]): DomainError =>
  new DomainError('invalid', message, details);
export const inputTooLarge = (message: string): DomainError => new DomainError('too-large', message);
export const notAllowed = (message: string): DomainError => new DomainError('forbidden', message);
export const notFoundError = (message: string): DomainError => new DomainError('not-found', message);
export const conflictWith = (message: string, code?: string): DomainError =>
  new DomainError('conflict', message, undefined, code);

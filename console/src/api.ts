/**
 * The JSON API, as the page calls it: paths relative to the page (so a path prefix works), the
 * admin key when there is one, and every failure as an ApiError carrying the API's message and
 * its per-field details (shown next to the form fields they name). A request about one model
 * names the model chosen in the picker (model-route.ts): no view has to remember it.
 */
import { adminKey } from './admin-key.ts';
import { readHash } from './hash-route.ts';
import { withModel } from './model-route.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30_000;

export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const key = adminKey();
  const method = options.method ?? 'GET';
  const response = await fetch(withModel(method, path.replace(/^\//, ''), readHash().model), {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { 'x-api-key': key } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `the service answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const error = (json as { error?: { message?: string; details?: FieldProblem[] } | string } | null)?.error;
    const message = typeof error === 'string' ? error : (error?.message ?? `HTTP ${response.status}`);
    throw new ApiError(response.status, message, typeof error === 'object' ? (error?.details ?? []) : []);
  }
  return json as T;
}

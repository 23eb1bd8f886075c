/**
 * Which model a request is about: the `{name}` of a path that names one (/models/{name}/predict,
 * /v2/models/{name}/...), else the `model` query parameter of the admin routes, else the
 * service's default model (MODEL_NAME). A name that cannot be a model name is a 400 here, before
 * it reaches a storage key.
 */
import { badRequest } from '../../lib/http/http-error.ts';
import type { HttpEvent } from '../../lib/http/api-types.ts';
import { NAME_PATTERN } from '../../lib/state/layout.ts';
import { getBasics } from './service.ts';

export function requestedModel(event: HttpEvent): string {
  const named = event.pathParameters?.name ?? event.queryStringParameters?.model;
  if (named === undefined || named === '') return getBasics().config.MODEL_NAME;
  if (!NAME_PATTERN.test(named))
    throw badRequest(
      `model name "${named.slice(0, 80)}" is not a model name: a letter or digit, then letters, digits, ".", "_", "-" (at most 64)`,
    );
  return named;
}

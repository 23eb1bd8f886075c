/** A command line that cannot be run as given: one line naming the problem, the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * node's parseArgs reports a bad command line as a TypeError with an ERR_PARSE_ARGS_* code and a
 * message of several sentences; as a UsageError, its first sentence, without node's advice.
 */
export function usageErrorOf(err: unknown): UsageError | null {
  if (err instanceof UsageError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return null;
  const message = (err as Error).message;
  const valueless = /^Option '(-[^ ']+)[^']*' argument (missing|is ambiguous)/.exec(message);
  if (valueless) return new UsageError(`${valueless[1]} needs a value`);
  const first = message.split(/\.(\s|$)/)[0];
  return new UsageError(first.charAt(0).toLowerCase() + first.slice(1).replace(/'/g, '"'));
}

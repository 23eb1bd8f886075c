/** Shared command-line plumbing: list options, friendly failures without stack traces. */
import { DataError } from '../../lib/data/errors.ts';
import { SpecError } from '../../lib/data/spec.ts';
import { ArtifactError } from '../../lib/artifact/model-bundle.ts';
import { TrainingError } from '../../lib/pipeline/pipeline.ts';
import { RegistryError } from '../../lib/registry/model-registry.ts';
import { PublishError } from '../../lib/registry/failed-publish.ts';
import { StorageError } from '../../lib/storage/object-store.ts';
import { UsageError, usageErrorOf } from './usage-error.ts';

export { UsageError };

/** "a,b" -> ['a', 'b'], each checked against the allowed names. */
export function parseList<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${option} needs at least one of: ${allowed.join(', ')}`);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new UsageError(`--${option}: unknown "${item}" (expected ${allowed.join(', ')})`);
  }
  return [...new Set(items)] as T[];
}

export function parseInteger(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${option} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/**
 * Runs a CLI main: expected failures print one clear message and exit non-zero; a usage error
 * (exit 2) is followed by `usage`, the command's synopsis.
 */
export async function runCli(main: () => Promise<void>, usage = ''): Promise<void> {
  try {
    await main();
  } catch (caught) {
    const err = usageErrorOf(caught) ?? caught;
    const known =
      err instanceof UsageError ||
      err instanceof DataError ||
      err instanceof SpecError ||
      err instanceof ArtifactError ||
      err instanceof TrainingError ||
      err instanceof RegistryError ||
      err instanceof PublishError ||
      err instanceof StorageError;
    process.stderr.write(`error: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    if (err instanceof UsageError) process.stderr.write(usage);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

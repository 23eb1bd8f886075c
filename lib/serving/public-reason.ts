/**
 * A failure in words fit for a public answer or /health: what went wrong, never where (no
 * hosts, ports, file paths or stack). Logs keep the full error.
 */
import { ArtifactError } from '../artifact/model-bundle.ts';
import { StorageError } from '../storage/object-store.ts';

export function publicReason(err: unknown): string {
  if (err instanceof StorageError)
    return err.failure === 'unavailable' ? `storage unavailable: ${err.reason}` : `storage: ${err.reason}`;
  if (err instanceof ArtifactError) return err.message;
  if (err instanceof Error && ['RegistryError', 'NoModelError', 'ConflictError'].includes(err.name)) return err.message;
  return `unexpected ${err instanceof Error ? err.name : 'failure'}`;
}

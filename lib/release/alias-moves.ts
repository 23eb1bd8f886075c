/** Promote and rollback requests, and where a rollback goes. */
import { z } from 'zod';
import { RegistryError, type AliasDocument } from '../registry/model-registry.ts';
import { NAME_PATTERN } from '../state/layout.ts';

export const aliasMoveSchema = z.strictObject({
  alias: z.string().regex(NAME_PATTERN, 'an alias name'),
  version: z.string().regex(NAME_PATTERN, 'a version id').optional(),
  reason: z.string().max(500).optional(),
  /** Move only if the alias points at this version now (409 otherwise): a retry of the same request then cannot move it twice. */
  from: z.string().regex(NAME_PATTERN, 'a version id').optional(),
});

/**
 * Where a rollback without a version goes: the version the alias's last move replaced, read
 * from the alias document itself, inside the same compare-and-swap as the move.
 */
export function rollbackTarget(alias: string): (current: AliasDocument | null) => string {
  return (current) => {
    if (!current) throw new RegistryError(`alias "${alias}" does not exist`, 'not_found');
    if (!current.event.from) throw new RegistryError(`alias "${alias}" has no earlier version to roll back to`, 'conflict');
    return current.event.from;
  };
}

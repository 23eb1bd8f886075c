/** Promote and rollback requests, and where a rollback goes. */
import { z } from 'zod';
import { RegistryError, type AliasDocument, type ModelRegistry, type MoveChoice } from '../registry/model-registry.ts';
import type { AliasEvent } from '../state/schemas.ts';
import { NAME_PATTERN } from '../state/layout.ts';

export const aliasMoveSchema = z.strictObject({
  alias: z.string().regex(NAME_PATTERN, 'an alias name'),
  version: z.string().regex(NAME_PATTERN, 'a version id').optional(),
  reason: z.string().max(500).optional(),
  /** Move only if the alias points at this version now (409 otherwise): a retry of the same request then cannot move it twice. */
  from: z.string().regex(NAME_PATTERN, 'a version id').optional(),
  /** Move even to a version whose contract differs from the alias's current one (409 contract_mismatch otherwise); needs a reason. */
  force: z.boolean().optional(),
});

/** POST /model/promote's body: a version to move to, and `dryRun` to see the contract differences without moving. */
export const promoteSchema = aliasMoveSchema.required({ version: true }).extend({
  /** Answer {dryRun, from, to, differences} and move nothing. */
  dryRun: z.boolean().optional(),
});

/**
 * Why a forced move cannot go ahead (null when it can, or is not forced): a forced move is on
 * the record with the reason someone gave for overriding the contract check.
 */
export function forceProblem(request: { force?: boolean; reason?: string }): string | null {
  return request.force && !request.reason?.trim()
    ? 'force needs a reason: say why a version with another contract may replace this one'
    : null;
}

/**
 * Where a rollback without a version goes: one step back in the alias's own history, never
 * forward. It undoes the move that brought the current version (going to the version that move
 * replaced), and records which move it undid; a rollback of a rollback undoes the move before
 * the one undone, so clicking twice goes two steps back instead of returning to the version just
 * rolled away from. Chosen inside the alias's compare-and-swap, so two rollbacks at once (a
 * double click, two hosts) take two different steps back.
 */
export function rollbackTarget(
  registry: ModelRegistry,
  name: string,
  alias: string,
): (current: AliasDocument | null) => Promise<MoveChoice> {
  return async (current) => {
    if (!current) throw new RegistryError(`alias "${alias}" does not exist`, 'not_found');
    let undo: AliasEvent = current.event;
    const undid = 'details' in current.event ? current.event.details?.undid : undefined;
    if (typeof undid === 'string') {
      const undone = await aliasEvent(registry, name, undid);
      const before = undone?.previousEventId ? await aliasEvent(registry, name, undone.previousEventId) : null;
      if (!before)
        throw new RegistryError(
          `alias "${alias}" has no earlier version to roll back to (the rollback before undid its first move)`,
          'conflict',
        );
      undo = before;
    }
    if (!undo.from) throw new RegistryError(`alias "${alias}" has no earlier version to roll back to`, 'conflict');
    return { to: undo.from, details: { undid: undo.eventId } };
  };
}

async function aliasEvent(registry: ModelRegistry, name: string, eventId: string): Promise<AliasEvent | null> {
  const event = await registry.historyEvent(name, eventId);
  return event?.kind === 'alias' ? event : null;
}

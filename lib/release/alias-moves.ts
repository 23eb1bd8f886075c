/** Promote and rollback requests, and where a rollback goes. */
import { z } from 'zod';
import type { AliasPointer, ModelRegistry } from '../registry/model-registry.ts';

export const aliasMoveSchema = z.strictObject({
  alias: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'an alias name'),
  version: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'a version id').optional(),
  reason: z.string().max(500).optional(),
});

/** The version the alias pointed to before the move that set it, from the history; null if none. */
export async function previousTarget(registry: ModelRegistry, name: string, current: AliasPointer): Promise<string | null> {
  const moves = await registry.history(name, current.alias);
  const last = moves.find((e) => e.eventId === current.eventId) ?? moves[moves.length - 1];
  return last?.from ?? null;
}

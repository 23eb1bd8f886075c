/**
 * The keys a zod schema allows at a path, read from the schema itself (so a message that
 * suggests a key can never drift from what the schema accepts).
 */
import type { z } from 'zod';

type Schema = z.core.$ZodType;

/** The parts of zod's schema definitions that lead to other schemas. */
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;

/** The schemas a value may be checked against: wrappers (default, optional, ...) removed, unions and pipes opened. */
function alternatives(schema: Schema, depth = 0): Schema[] {
  if (depth > 32) return []; // a bound for recursive schemas; no spec nests this deep
  const def = defOf(schema);
  if (def.innerType) return alternatives(def.innerType, depth + 1);
  if (def.type === 'pipe') return [def.in!, def.out!].flatMap((s) => alternatives(s, depth + 1));
  if (def.type === 'union') return def.options!.flatMap((s) => alternatives(s, depth + 1));
  return [schema];
}

function child(schema: Schema, key: PropertyKey): Schema[] {
  const def = defOf(schema);
  if (def.type === 'object' && typeof key === 'string' && def.shape && Object.hasOwn(def.shape, key))
    return [def.shape[key]];
  if (def.type === 'array' && typeof key === 'number') return [def.element!];
  return [];
}

/** Keys of the objects the schema accepts at `path` (an issue's path); empty when no object is expected there. */
export function allowedKeysAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  let current = alternatives(schema);
  for (const key of path) current = current.flatMap((s) => child(s, key)).flatMap((s) => alternatives(s));
  const keys = current.flatMap((s) => (defOf(s).type === 'object' ? Object.keys(defOf(s).shape ?? {}) : []));
  return [...new Set(keys)];
}

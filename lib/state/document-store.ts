/**
 * JSON documents on an ObjectStore, every read checked against its schema and every change a
 * compare-and-swap: a document is created with If-None-Match: * and replaced with If-Match on
 * the ETag it was read with. A writer that lost the race re-reads and tries again, a bounded
 * number of times, then gives up with a ConflictError (HTTP 409); no writer ever overwrites a
 * change it did not see.
 */
import type { z } from 'zod';
import {
  isStorageUnavailable,
  StorageError,
  type ObjectStore,
  type PutOutcome,
  type StoredObject,
  type WriteCondition,
} from '../storage/object-store.ts';

export interface Versioned<T> {
  value: T;
  etag: string;
}

/** The document exists but does not parse, or does not match its schema. */
export class CorruptDocumentError extends StorageError {
  override name = 'CorruptDocumentError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`stored document ${key} is unreadable: ${problem}`, 'rejected', 'a stored document is unreadable');
  }
}

/** Every attempt of a compare-and-swap lost to another writer. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/**
 * A conditional write was sent, its answer was lost, and what the store holds now cannot tell
 * whether it landed: it may have, and another writer may have built on it since. Neither "done"
 * nor "lost the race" would be true, and trying again could apply the change twice.
 */
export class WriteOutcomeUnknownError extends Error {
  override name = 'WriteOutcomeUnknownError';
  constructor(readonly key: string) {
    super(
      `the store did not confirm the write to ${key}, which may have landed since: read it back before changing it again`,
    );
  }
}

/** What a change makes of the current value: a new value to write, or nothing to do. */
export type Change<T, R> = { write: T; result: R } | { keep: true; result: R };

export interface UpdateOptions {
  /** Attempts before ConflictError. */
  attempts?: number;
  /**
   * A document that exists but cannot be read: 'throw' (the default) refuses to touch it;
   * 'replace' hands the change `null` and overwrites it (still conditionally, on its ETag).
   */
  onCorrupt?: 'throw' | 'replace';
}

const JSON_TYPE = 'application/json';
const DEFAULT_ATTEMPTS = 12;
/** Sends of one conditional write that failed without an answer and provably did not land. */
const CONDITIONAL_PUT_ATTEMPTS = 3;

export class DocumentStore {
  constructor(
    readonly objects: ObjectStore,
    private readonly backoffMs: (attempt: number) => number = jitteredBackoff,
  ) {}

  async read<S extends z.ZodType>(key: string, schema: S): Promise<Versioned<z.output<S>> | null> {
    const object = await this.objects.get(key);
    if (!object) return null;
    return { value: decode(key, object.bytes, schema), etag: object.etag };
  }

  async value<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | null> {
    return (await this.read(key, schema))?.value ?? null;
  }

  /** Writes a document that must not exist yet; false when it already does. */
  async create<S extends z.ZodType>(key: string, schema: S, value: z.input<S>): Promise<boolean> {
    const outcome = await this.conditionalPut(key, encode(schema, value), { ifNoneMatch: '*' });
    return outcome.written;
  }

  /**
   * A conditional write whose answer was lost (a timeout, a reset connection, a 5xx) may or may
   * not have landed, and may still land later: a request already in the store's queue is
   * carried out after its sender gave up. The store sends it once; the document is read back:
   *   - it holds exactly these bytes (every document carries its own event ids and times): ours;
   *   - it is still what the condition expected: not landed yet, and sent again (the same bytes
   *     under the same condition: of the two sends at most one can land);
   *   - it is something else: another writer's, which may have built on ours.
   * Once a send's answer was lost, a failed condition no longer means another writer won: the
   * lost send may be what changed the document. Only this write's bytes read back settle it;
   * otherwise the outcome is unknown (WriteOutcomeUnknownError), never a lost race, which the
   * caller would answer by deciding and writing again: the change applied twice (the chaos
   * test's 30 racing traffic writers on a loaded machine made one revision more than their 200s).
   * When the document cannot be read either, the store's failure stands.
   */
  private async conditionalPut(key: string, bytes: Uint8Array, condition: WriteCondition): Promise<PutOutcome> {
    const ours = (now: StoredObject | null): boolean =>
      now !== null && Buffer.from(now.bytes).equals(Buffer.from(bytes));
    let answerLost = false;
    for (let attempt = 1; ; attempt++) {
      let outcome: PutOutcome;
      try {
        outcome = await this.objects.put(key, bytes, { contentType: JSON_TYPE, condition });
      } catch (err) {
        if (!isStorageUnavailable(err)) throw err;
        answerLost = true;
        let now: StoredObject | null;
        try {
          now = await this.objects.get(key);
        } catch {
          throw err;
        }
        if (now && ours(now)) return { written: true, etag: now.etag };
        const unchanged = 'ifMatch' in condition ? now?.etag === condition.ifMatch : now === null;
        if (!unchanged) throw new WriteOutcomeUnknownError(key);
        if (attempt >= CONDITIONAL_PUT_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt)));
        continue;
      }
      if (outcome.written || !(answerLost || outcome.answerLost)) return outcome;
      let now: StoredObject | null;
      try {
        now = await this.objects.get(key);
      } catch {
        throw new WriteOutcomeUnknownError(key);
      }
      if (now && ours(now)) return { written: true, etag: now.etag };
      throw new WriteOutcomeUnknownError(key);
    }
  }

  /**
   * Reads the document, asks `change` what it should become, and writes that only if nobody
   * wrote in between; otherwise reads again and asks again. `change` must be a pure decision on
   * what it is given (it may run several times), and may be async (to read other documents).
   */
  async update<S extends z.ZodType, R>(
    key: string,
    schema: S,
    change: (
      current: Versioned<z.output<S>> | null,
      context: { unreadable: boolean },
    ) => Change<z.input<S>, R> | Promise<Change<z.input<S>, R>>,
    options: UpdateOptions = {},
  ): Promise<R> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const object = await this.objects.get(key);
      let current: Versioned<z.output<S>> | null = null;
      let unreadable = false;
      if (object) {
        try {
          current = { value: decode(key, object.bytes, schema), etag: object.etag };
        } catch (err) {
          if (options.onCorrupt !== 'replace') throw err;
          unreadable = true;
        }
      }
      const decision = await change(current, { unreadable });
      if ('keep' in decision) return decision.result;
      const condition = object ? { ifMatch: object.etag } : { ifNoneMatch: '*' as const };
      const outcome = await this.conditionalPut(key, encode(schema, decision.write), condition);
      if (outcome.written) return decision.result;
      if (attempt >= attempts)
        throw new ConflictError(`${key} kept changing under ${attempts} attempts to update it; try again`);
      await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt)));
    }
  }
}

/** Exponential backoff with full jitter: 2^attempt ms up to 250 ms, so racing writers spread out. */
export function jitteredBackoff(attempt: number): number {
  return Math.random() * Math.min(250, 2 ** (attempt + 1));
}

export function encode<S extends z.ZodType>(schema: S, value: z.input<S>): Uint8Array {
  // Checked on the way in too: a bug cannot store a document that its readers would refuse.
  return new TextEncoder().encode(JSON.stringify(schema.parse(value), null, 2) + '\n');
}

export function decode<S extends z.ZodType>(key: string, bytes: Uint8Array, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CorruptDocumentError(key, 'not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptDocumentError(key, `${issue?.path.join('.') || '(document)'}: ${issue?.message}`);
  }
  return parsed.data;
}

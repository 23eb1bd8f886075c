/**
 * The rollup mark: the stretch [since, through) of time the rollup runs have covered without a
 * gap. Inside it every minute, ten minutes, hour and day that had batches when a run passed has
 * its rollup, so a reader can name the keys of a window's periods and GET them (one read each)
 * instead of listing which exist: a period inside the mark whose rollup is missing had no traffic.
 * The canary step reads this way (named-window.ts): on s3rver a listing costs ~300 ms, a GET a
 * few ms (bench/RESULTS.md, fourth pass: 22 reads, 630 ms, most of it listings).
 *
 * A run covers [its look-back's first minute, the end of its last whole minute): every period
 * starting inside it that ended by then, and the periods around its first minute (rollup.ts
 * starts each level at the floor of that minute). A run that begins where the mark ends or
 * earlier extends it; one that begins after it (the schedule stopped for longer than the
 * look-back) starts a new mark, as nothing says the gap was rolled up. Moved by compare-and-swap,
 * forward by the runs, and back by one writer only: a batch stored after the mark passed its
 * minute (a retry after a store outage) pulls the mark's end back to that minute
 * (retreatRollupMark), so readers take that minute and the later ones from their batches until a
 * run rolls them up again and moves the end forward (the minute schedule's 15-minute look-back,
 * or housekeeping's two-day pass for a batch later than that: then the mark starts again at the
 * run's look-back, and a window before it is read by listing).
 */
import { z } from 'zod';
import { CorruptDocumentError, type DocumentStore } from '../state/document-store.ts';
import { keys } from '../state/layout.ts';
import { MINUTE_MS } from './summary.ts';

export const rollupMarkSchema = z.object({
  /** Covered from here (ms, a minute's start)... */
  since: z.number().int().nonnegative(),
  /** ...to here (ms, exclusive: the end of the last minute rolled up). */
  through: z.number().int().nonnegative(),
});
export type RollupMark = z.output<typeof rollupMarkSchema>;

/** The mark after a run that covered [from, through), stored by compare-and-swap. */
export async function advanceRollupMark(
  docs: DocumentStore,
  model: string,
  from: number,
  through: number,
): Promise<void> {
  if (through <= from) return;
  await docs.update(
    keys.rollupMark(model),
    rollupMarkSchema,
    (current) => {
      const mark = current?.value;
      if (mark && mark.since <= from && mark.through >= through) return { keep: true, result: undefined };
      // Overlapping or touching stretches join (the later-starting run also rolled up the periods
      // around its first minute); apart, the newer stretch is kept: nothing says the gap was rolled up.
      const joined =
        mark && mark.through >= from && mark.since <= through
          ? { since: Math.min(mark.since, from), through: Math.max(mark.through, through) }
          : mark && mark.through > through
            ? mark
            : { since: from, through };
      return { write: joined, result: undefined };
    },
    { onCorrupt: 'replace' },
  );
}

/**
 * A batch keyed in `minute` was stored after the mark may have passed that minute: the mark ends
 * at that minute if it reached past it (compare-and-swap; a mark that ends before the minute, or
 * starts after it, vouches for nothing the batch changes). A run racing this can cover the minute
 * again with a rollup made before the batch was listed; its next run (a minute later inside its
 * look-back) rebuilds that rollup, the bound the minute schedule already gives on-time batches.
 */
export async function retreatRollupMark(docs: DocumentStore, model: string, minute: number): Promise<void> {
  await docs.update(
    keys.rollupMark(model),
    rollupMarkSchema,
    (current) => {
      const mark = current?.value;
      if (!mark || mark.through <= minute || mark.since > minute) return { keep: true, result: undefined };
      return { write: { since: mark.since, through: minute }, result: undefined };
    },
    { onCorrupt: 'replace' },
  );
}

/**
 * Whether a batch keyed at `at` and stored at `storedAt` is late enough to pull the mark back. A
 * run rolls a minute up only once the minute has ended, and the run a minute later rebuilds it
 * from what it lists then (rollup.ts), so a batch stored within two minutes of its minute's start
 * is counted as on-time batches are: on-time flushes (CAPTURE_FLUSH_SECONDS is under a minute)
 * never read the mark.
 */
export function mayBeBehindRollupMark(at: number, storedAt: number): boolean {
  return Math.floor(at / MINUTE_MS) * MINUTE_MS + 2 * MINUTE_MS <= storedAt;
}

/** The mark, or null when there is none or it does not parse (the reader then lists, as before marks). */
export async function readRollupMark(docs: DocumentStore, model: string): Promise<RollupMark | null> {
  try {
    return await docs.value(keys.rollupMark(model), rollupMarkSchema);
  } catch (err) {
    if (err instanceof CorruptDocumentError) return null;
    throw err;
  }
}

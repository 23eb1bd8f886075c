/**
 * Where a process runs its monitoring reads (a window's summary for the report, the drift check
 * and the canary controller; the rollups). A Lambda function does one job per invocation, so it
 * reads in-process; a long-lived server that also answers predictions reads on a worker thread
 * of its own (off-thread-reads.ts), so a 24 h report never holds the event loop predictions wait on.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { rollUpSummaries, type RollupOptions, type RollupResult } from './rollup.ts';
import { readWindowSummary, type WindowShape, type WindowSummary } from './summary-reader.ts';

export interface MonitoringReads {
  /** The summary of the answers in [since, until], in the shape asked for (summary-reader.ts). */
  readWindow(model: string, since: number, until: number, shape?: WindowShape): Promise<WindowSummary>;
  /** One rollup run (rollup.ts). */
  rollUp(model: string, now?: number, options?: Partial<RollupOptions>): Promise<RollupResult>;
  /** Frees what the reads hold (a worker thread); reads after it fail. */
  close(): Promise<void>;
}

export function inProcessReads(store: ObjectStore): MonitoringReads {
  return {
    readWindow: (model, since, until, shape) => readWindowSummary(store, model, since, until, shape),
    rollUp: (model, now, options) => rollUpSummaries(store, model, now, options),
    close: async () => {},
  };
}

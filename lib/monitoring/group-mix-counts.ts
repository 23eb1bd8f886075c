/**
 * The answers of a window per group of each sensitive column, from its summary: what the drift
 * check's group-mix section compares with training (lib/drift/group-mix.ts). Here, below drift,
 * so the monitoring worker counts them where the window is read (window-answers.ts).
 */
import type { MonitoringSummary } from './summary.ts';

/** Answers per group, per sensitive column. */
export type GroupMixCounts = Record<string, Record<string, number>>;

/** The answers of a window per group of each sensitive column (every variant and version: the applicants, not the model). */
export function groupMixCounts(summary: MonitoringSummary): GroupMixCounts {
  const out: GroupMixCounts = {};
  for (const slice of summary.slices) {
    for (const g of slice.groups) {
      for (const [column, groups] of Object.entries(g.sensitive ?? {})) {
        const into = (out[column] ??= {});
        for (const [group, counts] of Object.entries(groups))
          into[group] = (into[group] ?? 0) + Object.values(counts.classes).reduce((s, n) => s + n, 0);
      }
    }
  }
  return out;
}

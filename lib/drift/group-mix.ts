/**
 * Group-mix drift: per sensitive column of the spec, the share of each group of applicants among
 * the window's answers against its share of the training rows, with the PSI the numeric features
 * use (statistics.ts) and the same line (DriftOptions.minPsi, 0.1). A shifted mix changes what
 * the out-of-fold fairness numbers describe (a group that was 5% of training and is 30% of
 * traffic is judged on few rows), so it is flagged beside the features' drift; it does not move
 * the report's verdict, which stays the features' (retraining on drift is about the features).
 *
 * The training counts are the artifact's out-of-fold fairness report's rows per group
 * (metrics.json `fairness`, every training row out of fold once): one source, no copy in the
 * baseline. A version trained before fairness reports has none: the section says so.
 */
import { z } from 'zod';
import type { DatasetSpec } from '../data/spec.ts';
import { groupMixCounts, type GroupMixCounts } from '../monitoring/group-mix-counts.ts';
import type { StoredDriftReport } from '../state/schemas.ts';
import type { DriftOptions } from './drift-check.ts';
import { psi } from './statistics.ts';

export type GroupMix = NonNullable<StoredDriftReport['groupMix']>;

// Counted from a window's summary below drift, where the window is read (the monitoring worker).
export { groupMixCounts, type GroupMixCounts };

/** What the group mix reads of metrics.json: per sensitive column, the training rows per group. */
const trainingFairnessSchema = z.object({
  fairness: z.array(
    z.object({ column: z.string(), groups: z.array(z.object({ group: z.string(), rows: z.number() })) }),
  ),
});

/**
 * The group-mix section of a drift report, or undefined when the spec names no sensitive column.
 * `live` undefined: the window's groups were not read (an uploaded CSV is checked on its features).
 */
export function checkGroupMix(
  spec: Pick<DatasetSpec, 'sensitive'>,
  metrics: unknown,
  live: GroupMixCounts | undefined,
  options: Pick<DriftOptions, 'minPsi' | 'minSamples'>,
): GroupMix | undefined {
  if (!spec.sensitive.length) return undefined;
  if (!live)
    return {
      reason: 'the group mix is compared on captured answers only; an uploaded CSV is checked on its features',
      columns: [],
    };
  const training = trainingFairnessSchema.safeParse(metrics);
  if (!training.success)
    return {
      reason:
        'the serving version has no training counts per group (trained before fairness reports): retrain it to compare the group mix',
      columns: [],
    };
  const columns: GroupMix['columns'] = [];
  for (const { column } of spec.sensitive) {
    const trained = training.data.fairness.find((f) => f.column === column);
    if (!trained) continue;
    const trainedRows = trained.groups.reduce((s, g) => s + g.rows, 0);
    const liveCounts = live[column] ?? {};
    const samples = Object.values(liveCounts).reduce((s, n) => s + n, 0);
    // Training's groups in its order, then groups only traffic has (a new band, a new region).
    const labels = [
      ...trained.groups.map((g) => g.group),
      ...Object.keys(liveCounts)
        .filter((g) => !trained.groups.some((t) => t.group === g))
        .sort(),
    ];
    const trainingShares = labels.map((label) =>
      trainedRows ? (trained.groups.find((g) => g.group === label)?.rows ?? 0) / trainedRows : 0,
    );
    const current = labels.map((label) => (samples ? (liveCounts[label] ?? 0) / samples : 0));
    const enough = samples >= options.minSamples && trainedRows > 0;
    const value = enough ? psi(trainingShares, current) : null;
    columns.push({
      column,
      samples,
      psi: value,
      status: value === null ? 'insufficient' : value >= options.minPsi ? 'drift' : 'stable',
      distribution: { labels, training: trainingShares, current },
    });
  }
  const missing = spec.sensitive.filter((c) => !columns.some((m) => m.column === c.column)).map((c) => c.column);
  return {
    reason: missing.length
      ? `no training counts for ${missing.join(', ')} in the serving version's fairness report`
      : null,
    columns,
  };
}

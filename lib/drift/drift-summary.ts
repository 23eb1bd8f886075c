/**
 * The drift report's opening: the verdict, the drifted columns strongest first, and the counts,
 * so a reader sees the answer before the per-column details. Derived from the report's columns
 * on the way out (not stored), so reports stored before it existed read the same.
 */
import { z } from 'zod';
import { storedDriftReportSchema, type StoredDriftReport } from '../state/schemas.ts';

export const driftSummarySchema = z.object({
  verdict: storedDriftReportSchema.shape.verdict,
  drifted: z
    .array(
      z.object({
        column: z.string(),
        effect: z.number().nullable(),
        effectName: z.enum(['psi', 'js-distance']),
        adjustedPValue: z.number().nullable(),
      }),
    )
    .describe('The columns that drifted, the largest effect first'),
  counts: z.object({
    columns: z.number().describe('Columns checked'),
    evaluated: z.number().describe('Columns with enough live values to judge'),
    drifted: z.number(),
    rows: z.number().describe('Rows compared with the training baseline'),
  }),
});
export type DriftSummary = z.output<typeof driftSummarySchema>;

/** A drift report as the API answers it: the summary first, then every stored field. */
export const driftReportResponseSchema = z.object({
  summary: driftSummarySchema,
  ...storedDriftReportSchema.shape,
  requestId: z.string(),
});

export function driftSummary(report: StoredDriftReport): DriftSummary {
  const drifted = report.columns
    .filter((c) => c.status === 'drift')
    .sort((a, b) => (b.effect ?? 0) - (a.effect ?? 0) || a.column.localeCompare(b.column))
    .map((c) => ({ column: c.column, effect: c.effect, effectName: c.effectName, adjustedPValue: c.adjustedPValue }));
  return {
    verdict: report.verdict,
    drifted,
    counts: { columns: report.columns.length, evaluated: report.evaluated, drifted: report.drifted, rows: report.rows },
  };
}

/** The report with its summary at the top (JSON keeps insertion order). */
export function withSummary(report: StoredDriftReport): { summary: DriftSummary } & StoredDriftReport {
  return { summary: driftSummary(report), ...report };
}

/**
 * How long the bucket keeps what monitoring writes: declared here once. The configuration
 * (CAPTURE_RETENTION_DAYS, FEEDBACK_RETENTION_DAYS, SUMMARY_RETENTION_DAYS) defaults to these
 * periods and may change them; every place that enforces them is derived from this module or
 * checked against it by a test:
 *
 *   AWS        serverless.yml's lifecycle rules on ModelBucket (test/packaging.test.ts compares
 *              them with s3LifecycleRules() and with CloudFormation's schema)
 *   MinIO      k8s-fallback/base/minio-lifecycle.json, imported by the bucket Job with
 *              `mc ilm rule import` (test/retention-rules.test.ts compares it with minioLifecycle()
 *              and with MinIO's own rule validation)
 *   embedded   housekeeping deletes expired day partitions itself (lib/retrain/retention-sweep.ts):
 *              the embedded S3 server has no lifecycle engine
 *
 *   captures/{model}/...      raw answers and the per-batch summaries beside them  captureDays
 *   feedback/{model}/...      one true class per labelled answer                  feedbackDays
 *   summaries/{model}/...     hour and day rollups of the batch summaries         summaryDays
 *
 * Everything else (models/, drift/, jobs/, locks/, data/) is kept until someone deletes it.
 * That includes the four-eyes change requests (models/{model}/approvals/, lib/governance/approval-requests.ts):
 * each is the record of who asked for and who approved a champion move, which a model-risk
 * review reads back as long as the history it belongs to (US SR 11-7 and the EBA's loan
 * origination guidelines expect model change approvals to be documented for the model's life).
 * They are small (a few hundred bytes, one per champion move) and hold no applicant's data, so
 * keeping them costs nothing a lender would trade the audit trail for. Expiry does not apply to
 * them either way: a request's own `expiresAt` ends its approval window, not its record.
 */
import { dayOf, PREFIXES } from './layout.ts';

/**
 * The defaults, for a lender:
 *
 * - Raw captures, 30 days. They are personal data (an applicant's cleaned features and the
 *   answer given), so they are kept no longer than needed (data minimisation). What reads them:
 *   the feedback lookup and GET /model/report?minutes= (at most 7 days back), the drift check
 *   (24 hours), and building the rollups. 30 days covers those four times over, and leaves a
 *   monthly review cycle to pull up a disputed decision, or to rebuild a rollup that was
 *   missed or wrong, before the rows go.
 * - Feedback, 30 days, as long as the answers it labels: a label arrives at most 7 days after
 *   its answer (the lookup), so every label of a still-kept answer is still kept; a label
 *   outliving its answer could not be joined to anything.
 * - Rollups, 400 days (13 months): a full year compared with the same month a year before
 *   (seasonality, annual model reviews, a regulator's look back over the last year). They hold
 *   counts and sketches, no applicant's values.
 */
export const RETENTION_DEFAULTS = { captureDays: 30, feedbackDays: 30, summaryDays: 400 } as const;

/**
 * The longest look back over raw rows: the feedback lookup (FEEDBACK_LOOKBACK_MINUTES) and
 * GET /model/report?minutes= (test/retention.test.ts checks both against it). Raw rows must
 * outlive it by a day (the partition the window starts in), so shorter settings are refused.
 */
export const RAW_READ_WINDOW_DAYS = 7;
export const MIN_RAW_RETENTION_DAYS = RAW_READ_WINDOW_DAYS + 1;

/**
 * On a versioned bucket (AWS: ModelBucket has versioning on) an expired or overwritten object
 * stays as a noncurrent version: those go one day later (a day to undo a wrong write of a
 * rollup, no longer: the point of expiry is that the data is gone). Multipart uploads that
 * never completed are aborted after a day (no upload of this project takes that long).
 */
export const NONCURRENT_VERSION_DAYS = 1;
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

export interface RetentionPeriods {
  captureDays: number;
  feedbackDays: number;
  summaryDays: number;
}

export type RetainedData = 'captures' | 'feedback' | 'summaries';

export interface RetentionRule {
  /** The rule's name on every store (lifecycle rule ID). */
  id: string;
  data: RetainedData;
  prefix: string;
  days: number;
}

/** One rule per top-level prefix that expires: the rule every store enforces. */
export function retentionRules(periods: RetentionPeriods): RetentionRule[] {
  return [
    { id: 'expire-captures', data: 'captures', prefix: PREFIXES.captures, days: periods.captureDays },
    { id: 'expire-feedback', data: 'feedback', prefix: PREFIXES.feedback, days: periods.feedbackDays },
    { id: 'expire-summaries', data: 'summaries', prefix: PREFIXES.summaries, days: periods.summaryDays },
  ];
}

/** Why a set of periods cannot be used, or null (config validation). */
export function retentionProblems(periods: RetentionPeriods): string[] {
  const problems: string[] = [];
  if (periods.summaryDays < periods.captureDays)
    problems.push(
      `SUMMARY_RETENTION_DAYS (${periods.summaryDays}) must be at least CAPTURE_RETENTION_DAYS (${periods.captureDays}): rollups are built from the raw rows`,
    );
  if (periods.summaryDays < periods.feedbackDays)
    problems.push(
      `SUMMARY_RETENTION_DAYS (${periods.summaryDays}) must be at least FEEDBACK_RETENTION_DAYS (${periods.feedbackDays})`,
    );
  return problems;
}

/**
 * The first UTC day whose partition is kept: a day partition before it holds only objects more
 * than `days` days old (its last instant, midnight at its end, is `days` days before `now` or
 * earlier), which is when a store's lifecycle engine expires them too.
 */
export function firstKeptDay(now: number, days: number): string {
  return dayOf(now - days * 86_400_000);
}

/**
 * The rules as CloudFormation's AWS::S3::Bucket LifecycleConfiguration.Rules: per prefix, the
 * current objects expire after its days and their noncurrent versions a day later; delete
 * markers left with no version behind them are removed (S3 allows no ExpiredObjectDeleteMarker
 * in a rule that also has ExpirationInDays, so they are rules of their own); incomplete
 * multipart uploads are aborted bucket-wide.
 */
export function s3LifecycleRules(periods: RetentionPeriods): Record<string, unknown>[] {
  return [
    ...retentionRules(periods).flatMap((rule) => [
      {
        Id: rule.id,
        Status: 'Enabled',
        Prefix: rule.prefix,
        ExpirationInDays: rule.days,
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
      },
      { Id: `${rule.id}-delete-markers`, Status: 'Enabled', Prefix: rule.prefix, ExpiredObjectDeleteMarker: true },
    ]),
    {
      Id: 'abort-incomplete-multipart-uploads',
      Status: 'Enabled',
      Prefix: '',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
    },
  ];
}

/**
 * The rules as `mc ilm rule import` reads them (minio-go's lifecycle.Configuration in JSON). The
 * cluster's bucket is not versioned (`mc mb` without --with-versioning), so expiry is all it
 * needs: MinIO deletes the objects outright.
 */
export function minioLifecycle(periods: RetentionPeriods): { Rules: Record<string, unknown>[] } {
  return {
    Rules: retentionRules(periods).map((rule) => ({
      ID: rule.id,
      Status: 'Enabled',
      Filter: { Prefix: rule.prefix },
      Expiration: { Days: rule.days },
    })),
  };
}

/**
 * Typed configuration from the environment, read once per container. Every option is
 * documented where it is declared; serverless.yml, the Knative manifests and `npm start` set
 * them. Invalid values stop the container at start with a message naming the variable.
 */
import { z } from 'zod';
import { parseGroupRoles } from '../auth/group-roles.ts';
import { NAME_PATTERN } from '../state/layout.ts';
import { MIN_RAW_RETENTION_DAYS, RETENTION_DEFAULTS, retentionProblems } from '../state/retention.ts';

const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);
const days = (fallback: number, min: number) =>
  z.coerce.number().int().min(min, `must be a whole number of days, at least ${min}`).default(fallback);

/** The suspended CronJob a cluster's retrain Jobs are made from (k8s-fallback/base/retrain-job-template.yaml). */
export const DEFAULT_RETRAIN_JOB_TEMPLATE = 'credit-score-retrain';

export const configSchema = z.object({
  /** Model served and trained by default: the registry name (the spec's name). */
  MODEL_NAME: z
    .string()
    .regex(NAME_PATTERN, 'a name of letters, digits, ".", "_", "-" (at most 64)')
    .default('credit-score'),
  /** Alias the functions serve (champion, challenger, ...). */
  MODEL_ALIAS: z
    .string()
    .regex(NAME_PATTERN, 'an alias name of letters, digits, ".", "_", "-" (at most 64)')
    .default('champion'),
  /** Bucket holding the registry (models/...), training data (data/...) and jobs (jobs/...). */
  MODEL_BUCKET: z.string().min(3).default('mlops-credit-score-models'),
  /** S3-compatible endpoint for MinIO or the embedded server; unset means AWS S3. */
  S3_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** Longest wait for a connection to the store. */
  S3_CONNECT_TIMEOUT_SECONDS: seconds(2),
  /**
   * Longest one storage call may take, retries included. Serving never waits on it once a
   * model is loaded (refreshes run in the background); admin routes answer 503 after it.
   */
  S3_REQUEST_TIMEOUT_SECONDS: seconds(5),
  /** How often a warm container checks whether its alias moved. */
  ALIAS_REFRESH_SECONDS: seconds(30),
  /** Largest request body accepted; bigger gets 413. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Most records in one {"instances": [...]} request; more gets 413. */
  MAX_INSTANCES: z.coerce.number().int().positive().default(1000),
  /** Whether GET /metrics answers without the admin key: yes in a cluster (Prometheus scrapes it inside), no on a cloud stage of Lambda (serverless.yml). */
  METRICS_PUBLIC: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Whether the Open Inference Protocol's versioned infer (any registered version) is open to everyone; by default admins only. */
  VERSIONED_INFER_PUBLIC: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * A retrain job renews its lock and stamps its record every RETRAIN_HEARTBEAT_SECONDS; one not
   * heard from for RETRAIN_LOCK_SECONDS is dead: it is marked failed and its lock can be taken.
   */
  RETRAIN_LOCK_SECONDS: seconds(600),
  RETRAIN_HEARTBEAT_SECONDS: seconds(15),
  /** Housekeeping deletes versions that never got their manifest (a failed upload) once they are this old. */
  INCOMPLETE_VERSION_MAX_AGE_HOURS: seconds(24),
  /** Training data used by retrain when the request names no key: a bucket key or a local file. */
  DEFAULT_TRAINING_DATA: z.string().default('data/credit_score_customers_raw.csv'),
  /** Spec used by retrain: a local file shipped with the code. */
  DEFAULT_SPEC_FILE: z.string().default('data/specs/credit-score.json'),
  /** AWS Secrets Manager secret (name or ARN) with {"adminApiKeys": [...], "s3AccessKeyId", "s3SecretAccessKey"}. */
  SECRETS_ID: z.string().optional(),
  /** How long secrets are cached before they are fetched again. */
  SECRETS_REFRESH_SECONDS: seconds(300),
  /**
   * How long a four-eyes change request may wait for its approvals (docs/four-eyes.md): a day,
   * one working day for a second person to look at it; after that it must be filed again, on
   * the champion as it is then.
   */
  APPROVAL_EXPIRY_HOURS: seconds(24),
  /** Local fallback: a JSON file of the same shape as the secret. */
  SECRETS_FILE: z.string().optional(),
  /**
   * Local fallback: comma-separated admin API keys, each `name:role:key` (a named principal with
   * the role viewer, operator or approver) or a plain key (legacy: `admin-key-N` with every role).
   * docs/identities.md.
   */
  ADMIN_API_KEYS: z.string().optional(),
  /**
   * OIDC bearer tokens (docs/identities.md): the issuer (`iss`) and audience (`aud`) a token must
   * carry, and the provider's key set. All three or none; none accepts API keys only.
   */
  OIDC_ISSUER: z.string().min(1).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.string().url().optional(),
  /** Longest wait for the key set; it is cached (jose: 10 minutes, re-fetched for an unknown key id at most every 30 s). */
  OIDC_JWKS_TIMEOUT_SECONDS: seconds(3),
  /** Clock skew allowed on a token's exp and nbf. */
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().min(0).default(30),
  /** The claim naming the principal (its stable id); the display name is `name`, else `email`. */
  OIDC_PRINCIPAL_CLAIM: z.string().min(1).default('sub'),
  /** The claim carrying the roles (an array or a space-separated string; a dotted path reaches into objects). */
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** When set (`group=role,group2=role`), the roles claim holds groups, mapped to roles by this. */
  OIDC_GROUP_ROLES: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      if (text === undefined) return;
      try {
        parseGroupRoles(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Local fallback: storage credentials (s3rver accepts any). */
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /**
   * How retrain jobs run: 'lambda' invokes the worker function asynchronously (AWS),
   * 'kubernetes' creates a Job from the template CronJob (a cluster), 'child-process' starts a
   * local process (laptop, and the cluster's one-shot bootstrap Job).
   */
  RETRAIN_RUNNER: z.enum(['lambda', 'kubernetes', 'child-process']).default('child-process'),
  /** The suspended CronJob whose jobTemplate a 'kubernetes' retrain Job is made from. */
  RETRAIN_JOB_TEMPLATE: z.string().min(1).default(DEFAULT_RETRAIN_JOB_TEMPLATE),
  /** The Kubernetes API server, when not the pod's own (KUBERNETES_SERVICE_HOST); tests. */
  KUBERNETES_API_URL: z.string().url().optional(),
  /** Where the pod's service account (token, ca.crt, namespace) is mounted. */
  KUBERNETES_SERVICE_ACCOUNT_DIR: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount'),
  /** The script a child-process retrain runs (a built bundle in the container image). */
  RETRAIN_JOB_SCRIPT: z.string().default('scripts/retrain-job.ts'),
  /** The worker function's name, for RETRAIN_RUNNER=lambda. */
  RETRAIN_FUNCTION_NAME: z.string().optional(),
  /** Lambda API endpoint override (serverless-offline's, locally). */
  LAMBDA_ENDPOINT: z.string().url().optional(),
  /** Captured predictions (for canary and A/B decisions) are written in batches of this many... */
  CAPTURE_FLUSH_RECORDS: z.coerce.number().int().positive().default(500),
  /** ...and at least this often while any wait, with or without new traffic (a timer; on Lambda, before the invocation returns). */
  CAPTURE_FLUSH_SECONDS: seconds(10),
  /**
   * How long a server told to stop (SIGTERM) spends writing what it still buffers: under docker's
   * 10 s stop grace by default; a slow store then gets a write and a retry. Kubernetes (and Knative)
   * wait 30 s or more, so a container there may set more.
   */
  SHUTDOWN_FLUSH_SECONDS: seconds(8),
  /** Most captured answers held while storage cannot take them; the oldest beyond are dropped and counted. */
  CAPTURE_MAX_BUFFERED: z.coerce.number().int().positive().default(20_000),
  /** Share of answers captured with their cleaned features and probabilities (for the drift check). */
  CAPTURE_FEATURES_RATE: z.coerce.number().min(0).max(1).default(0.2),
  /**
   * Where a server's monitoring reads (reports, drift counts, canary windows, rollups) run: a
   * worker 'thread' of the serving process, or a child 'process' whose every thread runs at the
   * reads' lower priority (lib/parallel/task-process.ts). On Lambda they run in the invocation.
   */
  MONITORING_READS: z.enum(['thread', 'process']).default('thread'),
  /** What a drifted data set does: 'off' (report only), 'notify' (log + metric), 'retrain' (start a job). */
  DRIFT_POLICY: z.enum(['off', 'notify', 'retrain']).default('notify'),
  /** The scheduled check reads captured traffic of this many past hours. */
  DRIFT_WINDOW_HOURS: seconds(24),
  /** After a drift-triggered retrain, no other is started for this long (one shift, one job). */
  DRIFT_RETRAIN_COOLDOWN_HOURS: seconds(24),
  /** Hand a drift-triggered model to a canary (challenger alias + canary policy) instead of only registering it. */
  DRIFT_RETRAIN_CANARY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Drift test settings (lib/drift/drift-check.ts documents the defaults). */
  DRIFT_ALPHA: z.coerce.number().positive().max(1).optional(),
  DRIFT_MIN_SAMPLES: z.coerce.number().int().positive().optional(),
  DRIFT_DATASET_SHARE: z.coerce.number().positive().max(1).optional(),
  /**
   * How long raw captures (captures/: answers and their batch summaries), feedback (feedback/)
   * and the hour and day rollups (summaries/) are kept, in days (lib/state/retention.ts: the
   * defaults and why). Raw rows at least 8 days (the longest read on them is 7); rollups at
   * least as long as either. On AWS and MinIO the bucket's lifecycle rules enforce them (set
   * them there: docs/retention.md); these must agree.
   */
  CAPTURE_RETENTION_DAYS: days(RETENTION_DEFAULTS.captureDays, MIN_RAW_RETENTION_DAYS),
  FEEDBACK_RETENTION_DAYS: days(RETENTION_DEFAULTS.feedbackDays, MIN_RAW_RETENTION_DAYS),
  SUMMARY_RETENTION_DAYS: days(RETENTION_DEFAULTS.summaryDays, MIN_RAW_RETENTION_DAYS),
  /**
   * Who deletes expired data: 'store' (the bucket's lifecycle rules: AWS S3, MinIO) or
   * 'housekeeping' (the hourly sweep deletes expired day partitions itself: the embedded S3
   * server, which has no lifecycle engine). Unset: 'store' on AWS (no S3_ENDPOINT), else
   * 'housekeeping'; the cluster's ConfigMap and docker-compose say 'store' (MinIO).
   */
  RETENTION_ENFORCED_BY: z.enum(['store', 'housekeeping']).optional(),
  /** Most objects one housekeeping run deletes for retention; the rest wait for the next run. */
  RETENTION_MAX_DELETES_PER_RUN: z.coerce.number().int().positive().default(5000),
  /** Write logs to this file instead of stdout (for a log shipper such as Filebeat); always JSON. */
  LOG_FILE: z.string().optional(),
  /**
   * How log records are written to stdout: 'json' (one ECS line each, what Filebeat and the
   * tests parse), 'text' (one short line each for a person: lib/observability/human-log.ts), or
   * 'auto', text when stdout is a terminal and JSON otherwise. npm start passes its own
   * terminal's answer on to the functions, whose stdout it filters.
   */
  LOG_FORMAT: z.enum(['auto', 'json', 'text']).default('auto'),
  /** Service name and environment, as logs and metrics label them. */
  SERVICE_NAME: z.string().default('mlops-credit-score'),
  STAGE: z.string().default('dev'),
});

const checkedSchema = configSchema
  .superRefine((c, ctx) => {
    for (const message of retentionProblems({
      captureDays: c.CAPTURE_RETENTION_DAYS,
      feedbackDays: c.FEEDBACK_RETENTION_DAYS,
      summaryDays: c.SUMMARY_RETENTION_DAYS,
    }))
      ctx.addIssue({ code: 'custom', path: ['SUMMARY_RETENTION_DAYS'], message });
    const oidc = [c.OIDC_ISSUER, c.OIDC_AUDIENCE, c.OIDC_JWKS_URL];
    if (oidc.some(Boolean) && !oidc.every(Boolean))
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_ISSUER'],
        message: 'set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL together (or none)',
      });
  })
  .transform((c) => ({
    ...c,
    RETENTION_ENFORCED_BY: c.RETENTION_ENFORCED_BY ?? (c.S3_ENDPOINT ? ('housekeeping' as const) : ('store' as const)),
  }));

export type Config = z.output<typeof checkedSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set" (serverless.yml writes ${env:X, ''} for optional ones).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = checkedSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      `invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/** The retention periods a configuration sets (lib/state/retention.ts). */
export function retentionPeriods(
  config: Pick<Config, 'CAPTURE_RETENTION_DAYS' | 'FEEDBACK_RETENTION_DAYS' | 'SUMMARY_RETENTION_DAYS'>,
): { captureDays: number; feedbackDays: number; summaryDays: number } {
  return {
    captureDays: config.CAPTURE_RETENTION_DAYS,
    feedbackDays: config.FEEDBACK_RETENTION_DAYS,
    summaryDays: config.SUMMARY_RETENTION_DAYS,
  };
}

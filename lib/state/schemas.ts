/**
 * The schema of every document the project stores, checked on every read (stored JSON is never
 * trusted with a type cast) and on every write. Types are inferred from these schemas, so the
 * code and the stored shape cannot drift apart. Where each document lives: layout.ts.
 */
import { z } from 'zod';
import { retrainRequestSchema } from '../retrain/retrain-request.ts';
import { NAME_PATTERN } from './layout.ts';
import { promotionPolicySchema } from './promotion-policy-schema.ts';
import { trafficPolicySchema } from './traffic-policy.ts';

const name = z.string().regex(NAME_PATTERN);
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time');
const details = z.record(z.string(), z.unknown());

/** versions/{version}/registration.json: who registered a version, when, from what. */
export const registrationSchema = z.object({
  name,
  version: name,
  createdAt: isoTime,
  createdBy: z.string(),
  /** What it was trained from, e.g. a data key or file name. */
  source: z.string().optional(),
  reason: z.string().optional(),
});
export type Registration = z.output<typeof registrationSchema>;

/** One alias move. `from` is the version the move actually replaced, read in the same compare-and-swap. */
const currentAliasEventSchema = z.object({
  kind: z.literal('alias'),
  eventId: name,
  at: isoTime,
  name,
  alias: name,
  from: name.nullable(),
  to: name,
  /** The move this one followed: the alias's history is one chain of these links. */
  previousEventId: name.nullable(),
  reason: z.string(),
  actor: z.string(),
  /** Anything that explains the decision (e.g. the numbers behind an automatic rollback). */
  details: details.optional(),
});

/**
 * Documents written by the first release (before compare-and-swap) are still read, as what
 * they were: an alias move without its link to the move before (that release did not know it),
 * a traffic change without a revision (0). They are rewritten in today's shape by the next
 * change. Writes always use the current shapes.
 */
const legacyAliasEventSchema = currentAliasEventSchema
  .omit({ kind: true, previousEventId: true })
  .extend({ kind: z.literal('alias').optional() })
  .transform((e) => ({ ...e, kind: 'alias' as const, previousEventId: null }));

export const aliasEventSchema = z.union([currentAliasEventSchema, legacyAliasEventSchema]);
export type AliasEvent = z.output<typeof aliasEventSchema>;

/** One traffic policy change, from revision `revision - 1` to `revision` (0: made by the first release, before revisions). */
export const trafficEventSchema = z.object({
  kind: z.literal('traffic'),
  eventId: name,
  at: isoTime,
  name,
  revision: z.number().int().min(0).default(0),
  from: trafficPolicySchema.nullable(),
  to: trafficPolicySchema,
  reason: z.string(),
  actor: z.string(),
  details: details.optional(),
});
export type TrafficEvent = z.output<typeof trafficEventSchema>;

/** One promotion policy change, from revision `revision - 1` to `revision` (lib/release/promotion-policy.ts). */
export const policyEventSchema = z.object({
  kind: z.literal('policy'),
  eventId: name,
  at: isoTime,
  name,
  revision: z.number().int().min(1),
  from: promotionPolicySchema.nullable(),
  to: promotionPolicySchema,
  reason: z.string(),
  actor: z.string(),
  details: details.optional(),
});
export type PolicyEvent = z.output<typeof policyEventSchema>;

/**
 * One step of a four-eyes change request (lib/governance/approval-requests.ts): filed, approved
 * by one more principal, rejected or withdrawn, or failed when its move was refused. The move
 * itself is the alias event, whose details.approval names the requester and the approvers.
 */
export const approvalEventSchema = z.object({
  kind: z.literal('approval'),
  eventId: name,
  at: isoTime,
  name,
  requestId: name,
  action: z.enum(['requested', 'approved', 'rejected', 'withdrawn', 'failed']),
  alias: name,
  from: name.nullable(),
  to: name,
  reason: z.string(),
  actor: z.string(),
  details: details.optional(),
});
export type ApprovalEvent = z.output<typeof approvalEventSchema>;

export const registryEventSchema = z.union([
  aliasEventSchema,
  trafficEventSchema,
  policyEventSchema,
  approvalEventSchema,
]);
export type RegistryEvent = z.output<typeof registryEventSchema>;

/**
 * aliases/{alias}.json: where the alias points, and the move that put it there. The move is
 * part of the pointer, so the pointer is never without its record even if the copy in history/
 * was not written yet (the next move writes it).
 */
const currentAliasDocumentSchema = z.object({
  alias: name,
  version: name,
  event: aliasEventSchema,
});

/** The first release's pointer, { alias, version, eventId, movedAt }: its move is read as one from an unknown version. */
const legacyAliasPointerSchema = z
  .object({ alias: name, version: name, eventId: name, movedAt: isoTime })
  .transform((p) => ({
    alias: p.alias,
    version: p.version,
    event: {
      kind: 'alias' as const,
      eventId: p.eventId,
      at: p.movedAt,
      name: 'unknown',
      alias: p.alias,
      from: null,
      to: p.version,
      previousEventId: null,
      reason: 'moved by the first release (its record is in the history)',
      actor: 'unknown',
    },
  }));

export const aliasDocumentSchema = z.union([currentAliasDocumentSchema, legacyAliasPointerSchema]);
export type AliasDocument = z.output<typeof aliasDocumentSchema>;

/** A canary promotion whose alias move is recorded as intended but not yet confirmed done. */
export const pendingPromotionSchema = z.object({
  alias: name,
  from: name,
  to: name,
  decisionRevision: z.number().int().min(0),
});

/**
 * traffic.json: the traffic policy in force. Every change makes a new revision; `since` is when
 * it took effect, which for a canary is when its current step began. Decisions about a canary
 * step are keyed by the revision, so two controllers cannot both act on one step.
 */
const currentTrafficDocumentSchema = z.object({
  revision: z.number().int().min(0),
  policy: trafficPolicySchema,
  since: isoTime,
  event: trafficEventSchema,
  pendingPromotion: pendingPromotionSchema.optional(),
});

/** policy.json: the promotion policy in force, its revision (each change adds one) and the change that set it. */
export const promotionPolicyDocumentSchema = z.object({
  revision: z.number().int().min(1),
  policy: promotionPolicySchema,
  since: isoTime,
  event: policyEventSchema,
});
export type PromotionPolicyDocument = z.output<typeof promotionPolicyDocumentSchema>;

/**
 * timeline/backfill.json: written once, when every event stored before the timeline existed has
 * its copies there; until it exists, the first reader of the timeline copies them.
 */
export const timelineBackfillSchema = z.object({
  at: isoTime,
  /** Events found under history/, and how many of them needed copies. */
  events: z.number().int().min(0),
  copied: z.number().int().min(0),
  /** Events left out: an id that is not time-ordered (none was ever written so), or a record that cannot be read. */
  skipped: z.array(z.object({ eventId: z.string(), why: z.string() })),
});
export type TimelineBackfill = z.output<typeof timelineBackfillSchema>;

/** timeline/bundles/{scope}/{day}.json: a day's events of one timeline, newest first (those housekeeping had gathered). */
export const timelineBundleSchema = z.object({
  /** The UTC day, as in event ids (20261127). */
  day: z.string().regex(/^\d{8}$/),
  events: z.array(registryEventSchema),
});
export type TimelineBundle = z.output<typeof timelineBundleSchema>;

/** The first release stored the bare policy: read as revision 0, in force since it was read (its change is in the history). */
export const LEGACY_TRAFFIC_EVENT_ID = 'first-release-policy';
const legacyTrafficPolicySchema = trafficPolicySchema.transform(
  (policy): z.output<typeof currentTrafficDocumentSchema> => {
    const now = new Date().toISOString();
    return {
      revision: 0,
      policy,
      since: now,
      event: {
        kind: 'traffic' as const,
        eventId: LEGACY_TRAFFIC_EVENT_ID,
        at: now,
        name: 'unknown',
        revision: 0,
        from: null,
        to: policy,
        reason: 'set by the first release',
        actor: 'unknown',
      },
    };
  },
);

export const trafficDocumentSchema = z.union([currentTrafficDocumentSchema, legacyTrafficPolicySchema]);
export type TrafficDocument = z.output<typeof currentTrafficDocumentSchema>;

const canaryNumbers = z.record(z.string(), z.number().nullable());

/** canary/decisions/{revision}.json (an action) and canary/latest.json (the last evaluation, holds included). */
export const canaryEvaluationSchema = z.object({
  at: isoTime,
  revision: z.number().int().min(0),
  step: z.number().int().min(0),
  action: z.enum(['hold', 'advance', 'promote', 'rollback']),
  reasons: z.array(z.string()),
  numbers: canaryNumbers,
  /** The history event that applied it (actions only). */
  eventId: name.nullable(),
});
export type CanaryEvaluation = z.output<typeof canaryEvaluationSchema>;

const capturedFeaturesSchema = z.object({
  numeric: z.array(z.number().nullable()),
  categorical: z.array(z.string().nullable()),
  multiLabel: z.array(z.array(z.string())),
});
export type CapturedFeatures = z.output<typeof capturedFeaturesSchema>;

/** One line of captures/{model}/{day}/{id}.ndjson: what one variant answered for one record. */
export const capturedPredictionSchema = z.object({
  requestId: z.string(),
  /** Position in a batch request (0 for a single record). */
  index: z.number().int().min(0),
  at: z.number(),
  version: z.string(),
  alias: z.string(),
  variant: z.string(),
  /** Predicted class label; absent when the variant failed. */
  predicted: z.string().optional(),
  /**
   * The request's service time, on one record per request and variant: a 300-row batch is one
   * latency sample, not 300 samples of "time since the request began". Absent when the request
   * waited for a model to load (a cold start is not the model's speed).
   */
  latencyMs: z.number().optional(),
  ok: z.boolean(),
  /**
   * Why it failed: `model`, the variant had no model to serve (counted against it); `unavailable`,
   * storage could not be reached (an outage, not the variant's fault: not counted).
   */
  error: z.enum(['model', 'unavailable']).optional(),
  shadow: z.object({ version: z.string(), predicted: z.string() }).optional(),
  /**
   * Per sensitive column of the answering model's spec, the applicant's group ("(missing)" when
   * not sent): what the serving fairness report and the group-mix drift count. Absent when the
   * spec names none, and on answers captured before it existed.
   */
  groups: z.record(z.string(), z.string()).optional(),
  /** Sampled answers only: the cleaned feature values (missing as null) and the probabilities. */
  features: capturedFeaturesSchema.optional(),
  probabilities: z.record(z.string(), z.number()).optional(),
});
export type CapturedPrediction = z.output<typeof capturedPredictionSchema>;

/** feedback/{model}/{day}/{id}.json: the true class of one served answer. */
export const feedbackRecordSchema = z.object({
  requestId: z.string(),
  index: z.number().int().min(0),
  actual: z.string(),
  at: z.number(),
  /**
   * The captured answers this label is for (one per variant that answered the record), found when
   * the label was accepted: reports count labels without reading the captures again. Absent on
   * labels stored before it existed, which no longer count.
   */
  answers: z
    .array(
      z.object({
        variant: z.string(),
        version: z.string(),
        predicted: z.string(),
        at: z.number(),
        groups: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
});
export type FeedbackRecord = z.output<typeof feedbackRecordSchema>;

const columnDriftSchema = z.object({
  column: z.string(),
  kind: z.enum(['numeric', 'categorical', 'multiLabel']),
  samples: z.number(),
  test: z.enum(['kolmogorov-smirnov', 'chi-square']),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  adjustedPValue: z.number().nullable(),
  effect: z.number().nullable(),
  effectName: z.enum(['psi', 'js-distance']),
  missingRate: z.object({ baseline: z.number(), live: z.number() }),
  status: z.enum(['stable', 'drift', 'insufficient']),
  /** Training versus current shares, per bin (numeric: the baseline's bins) or level (unseen levels pooled as "(unseen)"). */
  distribution: z
    .object({ labels: z.array(z.string()), training: z.array(z.number()), current: z.array(z.number()) })
    .optional(),
});

export const DRIFT_ACTIONS = [
  'none',
  'notified',
  'retrain-started',
  'retrain-cooldown',
  'retrain-busy',
  'retrain-failed',
] as const;

/** The mix of applicants' groups per sensitive column in the window against training's (lib/drift/group-mix.ts). */
const groupMixSchema = z.object({
  /** Why the mix was not compared (an artifact without training counts per group, an upload); null when it was. */
  reason: z.string().nullable(),
  columns: z.array(
    z.object({
      column: z.string(),
      /** Answers in the window with a group for the column. */
      samples: z.number(),
      psi: z.number().nullable(),
      status: z.enum(['stable', 'drift', 'insufficient']),
      distribution: z.object({
        labels: z.array(z.string()),
        training: z.array(z.number()),
        current: z.array(z.number()),
      }),
    }),
  ),
});

/** drift/{model}/reports/{id}.json and drift/{model}/latest.json. */
export const storedDriftReportSchema = z.object({
  id: name,
  at: isoTime,
  model: name,
  /** The version whose training baseline was the reference. */
  version: name,
  verdict: z.enum(['stable', 'partial', 'drift', 'insufficient']),
  rows: z.number(),
  evaluated: z.number(),
  drifted: z.number(),
  driftedShare: z.number(),
  options: z.object({
    alpha: z.number(),
    minPsi: z.number(),
    minJsDistance: z.number(),
    minKsD: z.number(),
    minSamples: z.number(),
    datasetShare: z.number(),
  }),
  columns: z.array(columnDriftSchema),
  /** Absent when the spec names no sensitive column, and on reports stored before it existed. */
  groupMix: groupMixSchema.optional(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('captures'), since: isoTime, until: isoTime }),
    z.object({ kind: z.literal('upload'), dataKey: z.string().optional() }),
  ]),
  policy: z.enum(['off', 'notify', 'retrain']),
  action: z.enum(DRIFT_ACTIONS),
  jobId: z.string().optional(),
});
export type StoredDriftReport = z.output<typeof storedDriftReportSchema>;

/** drift/{model}/last-retrain.json: when drift last started a retrain (the cooldown's clock). */
export const lastDriftRetrainSchema = z.object({ at: isoTime, jobId: z.string().nullable(), reportId: z.string() });

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** jobs/{jobId}.json: a retrain job from request to result. */
export const jobRecordSchema = z.object({
  jobId: z.string(),
  model: name,
  alias: name,
  status: z.enum(JOB_STATUSES),
  request: retrainRequestSchema,
  requestedBy: z.string(),
  createdAt: isoTime,
  startedAt: isoTime.optional(),
  /** Written by the running job every few seconds: a job not heard from for the lock's expiry is dead. */
  heartbeatAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  /** Steps of the search done and to do, the last step, and the rate and time left at that rate (once a step is done). */
  progress: z.object({
    done: z.number(),
    total: z.number(),
    message: z.string(),
    perSecond: z.number().optional(),
    etaSeconds: z.number().optional(),
  }),
  result: z
    .object({
      version: name,
      promoted: z.boolean(),
      /** Why it was or was not promoted (with promote "if-better": the two scores). */
      decision: z.string().optional(),
      canary: z.boolean().optional(),
      best: z.object({ classifier: z.string(), sampler: z.string(), f1_macro: z.number() }),
      candidates: z.number(),
      seconds: z.number(),
    })
    .optional(),
  error: z.string().optional(),
  lockToken: z.string(),
});
export type JobRecord = z.output<typeof jobRecordSchema>;

/** locks/*.json: who holds a lock until when; released locks stay as a record with `released`. */
export const lockRecordSchema = z.object({
  owner: z.string(),
  token: z.string(),
  acquiredAt: isoTime,
  expiresAt: isoTime,
  released: z.boolean(),
});
export type LockRecord = z.output<typeof lockRecordSchema>;

/**
 * Every HTTP route, declared once: "METHOD /path" (API Gateway's route key) -> the function file
 * that serves it, who may call it, what it takes and gives, and its documentation. The rest is
 * derived from this table (docs/layout.md, "A route"):
 *   - the handler's middlewares (functions/runtime/http-handler.ts routeHandler: admin role,
 *     JSON body, error shape), so a handler file holds only its logic;
 *   - the dispatch inside a file that serves several routes (functions/runtime/dispatch.ts);
 *   - the node:http router and `npm start` (functions/routes.ts, functions/adapter/node-http.ts);
 *   - the OpenAPI document (lib/http/openapi.ts), with the same zod schemas the handlers validate with;
 *   - serverless.yml's httpApi events (`npm run build:serverless`; test/route-table.test.ts
 *     fails while the committed file differs from what it writes).
 * Roles (docs/identities.md): reads need a viewer; anything that changes the registry, traffic,
 * jobs or stored data an operator; approving another principal's change request an approver.
 */
import { z } from 'zod';
import type { Role } from '../auth/principal.ts';
import { configSchema } from '../config/config.ts';
import { driftCheckRequestSchema } from '../drift/drift-service.ts';
import { driftReportResponseSchema } from '../drift/drift-summary.ts';
import { MAX_REASONS } from '../explain/reason-codes.ts';
import { pageQuerySchema } from './page-query.ts';
import { versionDetailSchema, versionSummarySchema } from '../registry/version-catalog.ts';
import { rejectRequestSchema } from '../governance/approval-request.ts';
import { aliasMoveSchema, promoteSchema } from '../release/alias-moves.ts';
import { feedbackSchema } from '../release/feedback.ts';
import { promotionPolicyRequestSchema } from '../release/promotion-policy.ts';
import { trafficPolicySchema } from '../release/traffic-policy.ts';
import { retrainRequestSchema } from '../retrain/retrain-request.ts';
import { explainQuerySchema } from '../serving/explain-query.ts';
import {
  inferenceRequestSchema,
  inferenceResponseSchema,
  modelMetadataSchema,
  serverMetadataSchema,
} from '../serving/open-inference.ts';

export interface RouteDeclaration {
  /** The function file under functions/ that serves it: one Lambda function (serverless.yml's handler) may serve several routes. */
  file: string;
  summary: string;
  description?: string;
  tag: 'predict' | 'open inference' | 'registry' | 'release' | 'drift' | 'retrain' | 'operations';
  /** Needs an admin principal (API key or OIDC token) holding this role; absent: anyone may call it. */
  role?: Role;
  /** A setting that, true, opens an admin route to everyone; its default decides what the document says. */
  openedBy?: 'METRICS_PUBLIC' | 'VERSIONED_INFER_PUBLIC';
  /** What changes `role`, in words for the document, e.g. "VERSIONED_INFER_PUBLIC=true opens it". */
  adminSetting?: string;
  pathParameters?: Record<string, string>;
  query?: z.ZodObject;
  /** The JSON request body's schema: a route with one (or with `emptyBody`) has its body parsed (lib/http/json-body.ts). */
  body?: z.ZodType;
  /** Every body field is optional: an empty body stands for {}. */
  emptyBody?: true;
  response?: z.ZodType;
  responseDescription?: string;
  /** The success status, when not 200. */
  status?: number;
  contentType?: string;
  /** The shape of error answers: ours by default, or the Open Inference Protocol's {"error": "..."}. */
  errors?: 'open-inference';
}

const rawValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const rawRecord = z
  .record(z.string(), rawValue)
  .describe("One raw record: every feature column of the model's spec (null for unknown), identifiers optional");

/** POST /predict's body, as lib/serving/predict-request.ts validates it against the model's spec. */
export const predictBodySchema = z.union([
  rawRecord,
  z.object({ instances: z.array(rawRecord).min(1).describe('Up to MAX_INSTANCES records') }),
]);

const reasonSchema = z.object({
  feature: z.string().describe('The source column'),
  value: rawValue.describe('What was sent for it'),
  contribution: z.number(),
  bin: z.string().optional().describe("A scorecard's: the row's bin of this characteristic"),
  pointsLost: z
    .number()
    .optional()
    .describe("A scorecard's: points given up against the characteristic's best bin (contribution is its negation)"),
});

const predictionSchema = z.object({
  prediction: z.string(),
  probabilities: z.record(z.string(), z.number()),
  score: z.number().optional().describe("A scorecard model's score in points (docs/scorecard.md)"),
  model: z.object({ name: z.string(), version: z.string(), alias: z.string(), variant: z.string() }),
  notes: z.array(z.string()).optional().describe('e.g. a category never seen in training'),
  reasons: z
    .array(reasonSchema)
    .optional()
    .describe('With ?explain=N: the top N columns pushing toward the predicted class'),
  baseValue: z
    .number()
    .optional()
    .describe(
      "With ?explain=N: the predicted class's expected output; plus every column's contribution, its output (a scorecard's: the best score its card gives; minus every pointsLost, the score)",
    ),
  explanation: z
    .object({ method: z.enum(['exact', 'approx', 'points']), space: z.enum(['margin', 'probability', 'points']) })
    .optional(),
});

export const predictResponseSchema = z.union([
  predictionSchema.extend({ requestId: z.string() }),
  z.object({ predictions: z.array(predictionSchema), requestId: z.string() }),
]);

const paged = (item: z.ZodType, field: string) =>
  z.object({
    [field]: z.array(item),
    next: z.string().nullable().describe("The next (older) page's `before`; null on the last page"),
    requestId: z.string(),
  });
const versionQuery = pageQuerySchema(20, 100);
const modelName = { name: 'A registered model (GET /models lists them; MODEL_NAME is the default one)' };

export const ROUTE_TABLE = {
  'POST /predict': {
    file: 'predict',
    tag: 'predict',
    summary: 'Score one raw record, or a batch, under the traffic policy',
    description: `Values are cleaned as in training ("52312.68_", "10 Years and 9 Months"). ?explain=N (1 to ${MAX_REASONS}) adds reason codes.`,
    query: explainQuerySchema,
    body: predictBodySchema,
    response: predictResponseSchema,
  },
  'POST /models/{name}/predict': {
    file: 'predict',
    tag: 'predict',
    summary: 'Score with a registered model by name, under its own traffic policy',
    description: 'As POST /predict, for the model named in the path (404 when no such model is registered).',
    pathParameters: { name: 'A registered model (GET /models lists them)' },
    query: explainQuerySchema,
    body: predictBodySchema,
    response: predictResponseSchema,
  },
  'GET /models': {
    file: 'models',
    tag: 'registry',
    summary: 'The models this service serves: each registered model, its aliases and traffic mode',
    response: z.object({
      default: z.string().describe('The model POST /predict and routes without ?model= serve (MODEL_NAME)'),
      models: z.array(
        z.object({
          name: z.string(),
          default: z.boolean(),
          aliases: z.record(z.string(), z.string()).describe('alias -> version'),
          traffic: z
            .string()
            .nullable()
            .describe('The mode of its stored traffic policy; null: none stored (its serving alias alone)'),
        }),
      ),
      requestId: z.string(),
    }),
  },
  'GET /model/info': {
    file: 'info',
    tag: 'registry',
    summary: 'The serving model: version, metrics, feature schema, a sample request',
  },
  'POST /model/retrain': {
    file: 'retrain',
    role: 'operator',
    emptyBody: true,
    tag: 'retrain',
    summary: 'Start a retrain job',
    body: retrainRequestSchema,
    status: 202,
    responseDescription: 'Accepted: the job id and its status URL',
  },
  'GET /model/retrain': {
    file: 'retrain-list',
    role: 'viewer',
    tag: 'retrain',
    summary: 'Recent retrain jobs, newest first',
    query: pageQuerySchema(20, 100),
    response: paged(z.object({ jobId: z.string(), status: z.string() }).loose(), 'jobs'),
  },
  'GET /model/retrain/{jobId}': {
    file: 'retrain-status',
    role: 'viewer',
    tag: 'retrain',
    summary: "A retrain job's status, progress and result",
    pathParameters: { jobId: 'The job id' },
  },
  'GET /model/versions': {
    file: 'model-versions',
    tag: 'registry',
    summary: 'Registered versions, newest first',
    query: versionQuery,
    response: paged(versionSummarySchema, 'versions'),
  },
  'GET /model/versions/{version}': {
    file: 'model-version',
    tag: 'registry',
    summary: "A version's record: manifest, metrics (confusion matrix, candidates), parameters",
    pathParameters: { version: 'The version id' },
    response: versionDetailSchema.extend({ model: z.string(), requestId: z.string() }),
  },
  'GET /model/versions/{version}/card': {
    file: 'model-card',
    role: 'viewer',
    tag: 'registry',
    summary:
      "A version's model card: intended use, data, features, metrics with fold spread, decision policy, limitations, who trained and promoted it",
    pathParameters: { version: 'The version id' },
  },
  'GET /health': {
    file: 'health',
    tag: 'operations',
    summary: 'Readiness (200 ready, 503 not) with the reasons; ?probe=live for liveness only',
    query: z.object({ probe: z.enum(['live']).optional() }),
  },
  'GET /metrics': {
    file: 'metrics',
    role: 'viewer',
    openedBy: 'METRICS_PUBLIC',
    tag: 'operations',
    summary: 'Prometheus metrics',
    contentType: 'text/plain',
    adminSetting: 'METRICS_PUBLIC=false (the cloud stages of serverless.yml) asks for the admin key',
  },
  'GET /model/traffic': {
    file: 'traffic-status',
    tag: 'release',
    summary: 'The traffic policy and what each route serves',
  },
  'PUT /model/traffic': {
    file: 'traffic',
    role: 'operator',
    tag: 'release',
    summary: 'Set the traffic policy: single, A/B, canary, blue-green or shadow',
    description:
      "An alias the change brings in whose version's contract (target, classes, input columns and their types) differs from the primary route's is refused: 409 contract_mismatch, each difference in error.details. A canary on a new challenger, or a blue-green switch to an alias that was not serving, whose version fails the promotion policy is refused: 409 policy_refused, each failed gate in error.details. ?force=true with a reason in x-change-reason sets it anyway (400 without a reason), and the history event records details.contract and details.policy.",
    query: z.object({
      force: z.enum(['true']).optional().describe('Set it even if a contract differs (needs x-change-reason)'),
    }),
    body: trafficPolicySchema,
  },
  'POST /model/promote': {
    file: 'promote',
    role: 'operator',
    tag: 'release',
    summary:
      'Point an alias at a version (verified first, with the same contract as the one it replaces); under four eyes, 202 with a change request',
    description:
      "A version whose contract (model name, target, classes in order, input columns with their types, categories and labels) differs from the alias's current version's is refused: 409 contract_mismatch, each difference in error.details as {field, message}. A version that fails the model's promotion policy (GET /model/policy) is refused: 409 policy_refused, each failed gate in error.details with the version's number and the limit. force with a reason moves it anyway (400 without a reason) and the history event records details.contract = {forced, differences} and details.policy = {revision, forced, failed}. dryRun answers {dryRun, from, to, differences, policy} (policy: {revision, failed}, or null without a policy) and moves nothing. With the policy's approvals N >= 2, a move of the serving alias (MODEL_ALIAS) is not made: 202 {request} files a change request (GET /model/approvals/{id}) that N - 1 other principals approve; a legacy plain admin key cannot file one (403).",
    body: promoteSchema,
  },
  'POST /model/rollback': {
    file: 'rollback',
    role: 'operator',
    tag: 'release',
    summary: 'Point an alias back at the version its last move replaced (or a given one)',
    description:
      "The target must have the current version's contract (409 contract_mismatch otherwise); force with a reason moves it anyway. The promotion policy is not asked: a rollback must always work in an incident. Under four eyes (approvals >= 2) a rollback of the serving alias to a given version answers 202 with a change request; the step back without a version stays one principal's.",
    body: aliasMoveSchema,
  },
  'GET /model/policy': {
    file: 'promotion-policy-status',
    role: 'viewer',
    tag: 'release',
    summary:
      "The model's promotion policy, its revision (0: none stored, no gate) and since when; the ETag is the revision",
  },
  'PUT /model/policy': {
    file: 'promotion-policy',
    role: 'operator',
    tag: 'release',
    summary:
      'Store the promotion policy: minimum AUC, KS and macro F1, maximum calibration error and fairness gaps, required model card fields, approvals',
    description:
      'Every gate is optional (absent: not checked); promote, a canary start and a blue-green switch are refused (409 policy_refused) for a version that fails one. 422 naming each bad field. A new revision, recorded in the history with `reason`; with If-Match: "N" (the revision read), 409 when the policy has moved on.',
    body: promotionPolicyRequestSchema,
  },
  'GET /model/approvals': {
    file: 'approvals',
    role: 'viewer',
    tag: 'release',
    summary:
      'Four-eyes change requests, newest first: each with its status now (pending, expired, moving, done, failed, rejected, withdrawn), approvals so far and needed',
    query: pageQuerySchema(50, 200),
  },
  'GET /model/approvals/{id}': {
    file: 'approvals',
    role: 'viewer',
    tag: 'release',
    summary: 'One change request: who asked, who approved, what the move would change (preview), its outcome',
    pathParameters: { id: 'The change request id' },
  },
  'POST /model/approvals/{id}/approve': {
    file: 'approvals',
    role: 'approver',
    emptyBody: true,
    tag: 'release',
    summary:
      'Approve a change request (approver role; not its requester, not a legacy plain key: 403); the last approval makes the move',
    description:
      "The move runs with every check a promote runs, from the version the alias held when the request was filed: 409 when it moved meanwhile (the request is then failed), 409 contract_mismatch or policy_refused unless the request was forced. 409 request_expired after APPROVAL_EXPIRY_HOURS, 409 request_decided once it is done, failed, rejected or withdrawn (a second approver racing the last one is told it was done). The answer holds the move's history event, whose details.approval names the requester and the approvers.",
    pathParameters: { id: 'The change request id' },
  },
  // An approver rejects; the requester (an operator) may withdraw their own: the handler tells them apart.
  'POST /model/approvals/{id}/reject': {
    file: 'approvals',
    role: 'operator',
    emptyBody: true,
    tag: 'release',
    summary: 'Reject a pending change request (an approver), or withdraw it (its requester)',
    pathParameters: { id: 'The change request id' },
    body: rejectRequestSchema,
  },
  'GET /model/history': {
    file: 'history',
    role: 'viewer',
    tag: 'release',
    summary:
      "Alias moves, traffic changes, promotion policy changes and change requests' steps (kind approval), oldest first within a page",
    query: pageQuerySchema(500, 1000).extend({ alias: z.string().optional().describe("Only this alias's moves") }),
  },
  // Labelled outcomes steer canary and A/B decisions, so writing them is a change (operator).
  'POST /feedback': {
    file: 'feedback',
    role: 'operator',
    tag: 'release',
    summary: 'The true class of a served prediction',
    body: feedbackSchema,
  },
  'GET /model/report': {
    file: 'report',
    role: 'viewer',
    tag: 'release',
    summary: 'Per variant: requests, errors, latency, class shares, accuracy and the A/B test',
    query: z.object({ minutes: z.string().optional().describe('The window, in minutes (60)') }),
  },
  'GET /model/canary': {
    file: 'canary-status',
    role: 'viewer',
    tag: 'release',
    summary:
      "The canary in force: its step, when the step began, its bounds, and the controller's latest evaluation of it",
  },
  'POST /model/canary/check': {
    file: 'canary-check',
    role: 'operator',
    tag: 'release',
    summary: 'Evaluate the canary now (advance, hold, promote or roll back)',
  },
  'POST /model/housekeeping': {
    file: 'housekeeping',
    role: 'operator',
    tag: 'operations',
    summary: 'Sweep dead jobs, incomplete uploads and expired monitoring data now',
  },
  'POST /drift/check': {
    file: 'drift-check',
    role: 'operator',
    tag: 'drift',
    summary: 'Compare current data with the training baseline, per column',
    body: driftCheckRequestSchema,
    query: z.object({
      apply: z.enum(['true', 'false']).optional().describe('Also apply the drift policy (notify or retrain)'),
    }),
    response: driftReportResponseSchema,
    responseDescription:
      'The report: its summary first, then per column the test, statistic, adjusted p-value and effect',
  },
  'GET /drift/latest': {
    file: 'drift-latest',
    role: 'viewer',
    tag: 'drift',
    summary: 'The latest drift report',
    response: driftReportResponseSchema,
  },
  'GET /openapi.json': { file: 'openapi', tag: 'operations', summary: 'This document' },
  'GET /': {
    file: 'console',
    tag: 'operations',
    summary: 'Sends a browser to the operator console',
    status: 302,
    responseDescription: 'A redirect to console',
    contentType: 'text/plain',
  },
  'GET /console': {
    file: 'console',
    tag: 'operations',
    summary: 'The operator console (a page over this API; actions need the admin key)',
    contentType: 'text/html',
  },
  'GET /console/assets/{file}': {
    file: 'console',
    tag: 'operations',
    summary: "The console's script and stylesheet (app.js, app.css)",
    pathParameters: { file: 'app.js or app.css' },
    contentType: 'text/javascript',
  },
  'GET /v2': {
    file: 'v2-server',
    tag: 'open inference',
    summary: 'Server metadata',
    response: serverMetadataSchema,
    errors: 'open-inference',
  },
  'GET /v2/health/live': {
    file: 'v2-server',
    tag: 'open inference',
    summary: 'Server liveness',
    response: z.object({ live: z.boolean() }),
    errors: 'open-inference',
  },
  'GET /v2/health/ready': {
    file: 'v2-server',
    tag: 'open inference',
    summary: 'Server readiness (400 when not ready)',
    response: z.object({ ready: z.boolean() }),
    errors: 'open-inference',
  },
  'GET /v2/models/{name}': {
    file: 'v2-model',
    tag: 'open inference',
    summary: 'Model metadata: one input tensor per feature column, outputs label and probabilities',
    pathParameters: modelName,
    response: modelMetadataSchema,
    errors: 'open-inference',
  },
  'GET /v2/models/{name}/ready': {
    file: 'v2-model',
    tag: 'open inference',
    summary: 'Model readiness (400 when not ready)',
    pathParameters: modelName,
    response: z.object({ name: z.string(), ready: z.boolean() }),
    errors: 'open-inference',
  },
  'POST /v2/models/{name}/infer': {
    file: 'v2-infer',
    tag: 'open inference',
    summary: 'Inference under the traffic policy',
    pathParameters: modelName,
    body: inferenceRequestSchema,
    response: inferenceResponseSchema,
    errors: 'open-inference',
  },
  // Its role: it scores with any registered version, a read of the registry, not a change.
  'POST /v2/models/{name}/versions/{version}/infer': {
    file: 'v2-infer',
    role: 'viewer',
    openedBy: 'VERSIONED_INFER_PUBLIC',
    tag: 'open inference',
    adminSetting: 'VERSIONED_INFER_PUBLIC=true opens it to everyone',
    summary: 'Inference with one registered version',
    pathParameters: { ...modelName, version: 'The version id' },
    body: inferenceRequestSchema,
    response: inferenceResponseSchema,
    errors: 'open-inference',
  },
} satisfies Record<string, RouteDeclaration>;

/** A declared route's key, "METHOD /path": a handler names its route by one, checked by the compiler. */
export type RouteKey = keyof typeof ROUTE_TABLE;

/** The declaration of `route` (the table's entries, typed as declarations). */
export function declarationOf(route: RouteKey): RouteDeclaration {
  return ROUTE_TABLE[route];
}

/** Every declared route with its key, in the table's order. */
export function declaredRoutes(
  table: Readonly<Record<string, RouteDeclaration>> = ROUTE_TABLE,
): { key: string; method: string; path: string; declaration: RouteDeclaration }[] {
  return Object.entries(table).map(([key, declaration]) => {
    const [method, path] = key.split(' ');
    return { key, method, path, declaration };
  });
}

/**
 * Whether the route asks for an admin principal with the default configuration: what the
 * OpenAPI document says (a setting's default read from the configuration's own schema).
 */
export function adminByDefault(declaration: RouteDeclaration): boolean {
  if (!declaration.role) return false;
  return declaration.openedBy ? !configSchema.shape[declaration.openedBy].parse(undefined) : true;
}

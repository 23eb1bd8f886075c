/**
 * A model card per version: what a model-risk review reads before a version may serve (Mitchell
 * et al., "Model Cards for Model Reporting", 2019, and the SR 11-7 headings a bank's validators
 * use): intended use, the data and its fingerprint, classes and features, the cross-validated
 * metrics with their fold spread, calibration, the decision policy in force, the training
 * parameters, limitations stated from the numbers, and who trained, registered and promoted it
 * and when. Everything is read from the version's own files and the registry's history; nothing
 * is typed in by hand, so the card cannot disagree with the artifact.
 */
import { z } from 'zod';
import { datasetSpecSchema, featureColumns, type DatasetSpec } from '../data/spec.ts';
import { RegistryError, type ModelRegistry } from '../registry/model-registry.ts';
import { scorecardReport, type ScorecardReport } from '../scorecard/scorecard-report.ts';
import { storedScorecardSchema } from '../scorecard/stored-scorecard.ts';
import { versionDetail, type VersionDetail } from '../registry/version-catalog.ts';
import type { AliasEvent } from '../state/schemas.ts';

/** Alias moves read for the card's promotions: the latest pages of the history, a bound on a card's cost. */
const PROMOTION_EVENTS_READ = 500;

export interface ModelCard {
  model: string;
  version: string;
  intendedUse: string;
  /** The spec's own words about its data (provenance, meaning of the columns), when it has them. */
  dataDescription: string | null;
  data: VersionDetail['data'];
  target: { column: string; classes: string[] };
  features: { column: string; kind: 'numeric' | 'duration' | 'categorical' | 'multi-label' }[];
  identifiersExcluded: string[];
  metrics: {
    cv: unknown;
    ranking: unknown;
    confusionMatrix: unknown;
    calibration: unknown;
    outOfFold: unknown;
  };
  /** How the class is chosen from the probabilities: the weights in force, or the most probable class. */
  decisionPolicy: { kind: 'argmax' } | { kind: 'class weights'; weights: Record<string, number>; evidence: unknown };
  /** The calibration the served probabilities went through, or null (the model's own). */
  calibration: unknown;
  /** Per sensitive column (the spec's `sensitive`); null when none is declared. */
  fairness: unknown;
  training: unknown;
  /** A scorecard version's points table (lib/scorecard/scorecard-report.ts); absent for a tree model. */
  scorecard?: ScorecardReport;
  limitations: string[];
  lineage: {
    trainedAt: string | null;
    registeredBy: string | null;
    source: string | null;
    /** Moves of an alias to this version, oldest first (within the history's latest PROMOTION_EVENTS_READ events). */
    promotions: { alias: string; at: string; by: string; reason: string; from: string | null }[];
    currentAliases: string[];
  };
}

const metricsSchema = z
  .object({
    cv: z.object({ f1_macro: z.number(), f1_macro_std: z.number().optional() }).passthrough().optional(),
    ranking: z.object({ roc_auc: z.number().nullable(), roc_auc_std: z.number().nullable() }).passthrough().optional(),
    confusion_matrix: z.array(z.array(z.number())).optional(),
    calibration: z.unknown().optional(),
    out_of_fold: z.unknown().optional(),
    fairness: z.unknown().optional(),
  })
  .passthrough();

const decisionSchema = z.object({ weights: z.array(z.number()) }).passthrough();

/** The card of one version; a RegistryError 'not_found' when it has no complete version. */
export async function readModelCard(registry: ModelRegistry, name: string, version: string): Promise<ModelCard> {
  const detail = await versionDetail(registry, name, version);
  const json = async (file: string): Promise<unknown> => {
    if (!detail.manifest.files[file]) return null;
    const object = await registry.versionObject(name, version, file);
    return object ? (JSON.parse(new TextDecoder().decode(object.bytes)) as unknown) : null;
  };
  const [specJson, decision, calibration, scorecardJson] = await Promise.all([
    json('spec.json'),
    json('decision.json'),
    json('calibration.json'),
    json('scorecard.json'),
  ]);
  const spec = datasetSpecSchema.safeParse(specJson);
  if (!spec.success) throw new RegistryError(`version ${version} has no readable spec.json`, 'invalid');
  const promotions = await promotionsOf(registry, name, version);
  const card = buildModelCard({ name, detail, spec: spec.data, decision, calibration, promotions });
  if (scorecardJson === null) return card;
  // Parsed by the schema the loader uses, so the card never shows a table the model would refuse to serve.
  const stored = storedScorecardSchema.safeParse(scorecardJson);
  if (!stored.success)
    throw new RegistryError(
      `version ${version} has a scorecard.json that does not parse: ${stored.error.issues[0]?.path.join('.')}: ${stored.error.issues[0]?.message}`,
      'invalid',
    );
  return { ...card, scorecard: scorecardReport(stored.data, detail.classes) };
}

async function promotionsOf(registry: ModelRegistry, name: string, version: string): Promise<AliasEvent[]> {
  const found: AliasEvent[] = [];
  let before: string | undefined;
  for (let read = 0; read < PROMOTION_EVENTS_READ;) {
    const page = await registry.historyPage(name, { limit: 100, ...(before !== undefined ? { before } : {}) });
    read += page.items.length;
    for (const e of page.items) if (e.kind === 'alias' && e.to === version) found.push(e);
    if (!page.next || !page.items.length) break;
    before = page.next;
  }
  return found.reverse();
}

export interface CardInputs {
  name: string;
  detail: VersionDetail;
  spec: DatasetSpec;
  decision: unknown;
  calibration: unknown;
  promotions: AliasEvent[];
}

export function buildModelCard({ name, detail, spec, decision, calibration, promotions }: CardInputs): ModelCard {
  const metrics = metricsSchema.safeParse(detail.metrics);
  const m = metrics.success ? metrics.data : {};
  const rule = decisionSchema.safeParse(decision);
  const classes = detail.classes;
  const features: ModelCard['features'] = [
    ...spec.numeric.map((c) => ({ column: c.column, kind: 'numeric' as const })),
    ...spec.duration.map((c) => ({ column: c.column, kind: 'duration' as const })),
    ...spec.categorical.map((c) => ({ column: c.column, kind: 'categorical' as const })),
    ...spec.multiLabel.map((c) => ({ column: c.column, kind: 'multi-label' as const })),
  ];
  // Ordered as the spec lists them, so two cards of one model read alike.
  const order = featureColumns(spec);
  features.sort((a, b) => order.indexOf(a.column) - order.indexOf(b.column));
  return {
    model: name,
    version: detail.version,
    intendedUse: `Scores an applicant into ${classes.join(' / ')} (${spec.target.column}) from the ${features.length} features below, for the decisions of the lender that trained it. Not for applicants unlike the training data (see limitations), nor as the only reason for an adverse decision.`,
    dataDescription: spec.description ?? null,
    data: detail.data,
    target: { column: spec.target.column, classes },
    features,
    identifiersExcluded: spec.identifiers,
    metrics: {
      cv: m.cv ?? null,
      ranking: m.ranking ?? null,
      confusionMatrix: m.confusion_matrix ?? null,
      calibration: m.calibration ?? null,
      outOfFold: m.out_of_fold ?? null,
    },
    decisionPolicy: rule.success
      ? {
          kind: 'class weights',
          weights: Object.fromEntries(classes.map((c, k) => [c, rule.data.weights[k] ?? 1])),
          evidence: (decision as { nestedF1Macro?: unknown }).nestedF1Macro ?? null,
        }
      : { kind: 'argmax' },
    calibration: calibration ?? null,
    fairness: m.fairness ?? null,
    training: detail.params,
    limitations: limitationsOf(detail, m, classes, calibration !== null),
    lineage: {
      trainedAt: detail.createdAt,
      registeredBy: detail.createdBy,
      source: detail.source,
      promotions: promotions.map((e) => ({ alias: e.alias, at: e.at, by: e.actor, reason: e.reason, from: e.from })),
      currentAliases: detail.aliases,
    },
  };
}

/** Limitations stated from the version's own numbers. */
function limitationsOf(
  detail: VersionDetail,
  m: z.output<typeof metricsSchema>,
  classes: string[],
  calibrated: boolean,
): string[] {
  const out: string[] = [];
  const data = detail.data;
  if (data) {
    out.push(
      `Learned from ${data.rows.toLocaleString('en-US')} rows of ${data.source} (sha256 ${data.sha256.slice(0, 12)}...); applicants unlike them (another market, product or period) may be scored wrongly: the drift check compares the traffic with this data.`,
    );
    const total = Object.values(data.classCounts).reduce((a, b) => a + b, 0);
    for (const [c, n] of Object.entries(data.classCounts)) {
      if (total && n / total < 0.1)
        out.push(
          `${c} is ${((100 * n) / total).toFixed(1)} % of the training rows: its recall is the least certain of the classes.`,
        );
    }
  }
  if (m.cv?.f1_macro_std !== undefined)
    out.push(
      `Macro F1 ${m.cv.f1_macro.toFixed(4)} varies by ${m.cv.f1_macro_std.toFixed(4)} (one standard deviation) from fold to fold: differences between versions smaller than that are noise.`,
    );
  out.push(
    calibrated
      ? 'The probabilities served are calibrated on out-of-fold predictions (see calibration).'
      : "The probabilities served are the model's own, not calibrated: read them as scores that rank, not as default rates.",
  );
  if (!m.fairness)
    out.push(
      'No sensitive column was declared in the spec: how the model treats groups of applicants was not measured.',
    );
  if (classes.length > 2)
    out.push('Ranking metrics (AUC, KS) are each class against the rest, averaged over the classes.');
  return out;
}

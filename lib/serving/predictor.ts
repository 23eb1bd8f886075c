/**
 * A loaded model ready to answer: raw record in, class and probabilities out, through the
 * artifact's own preprocessor, compiled ensemble and calibration (when it has one). One scratch
 * feature row is reused, so a single prediction allocates only its answer. The class is the
 * artifact's decision rule applied to the served probabilities (with one, it may not be the
 * most probable class). Explanations attribute the ensemble's own output (before calibration,
 * which maps each class's probability monotonically) to the features, for the served class.
 */
import { cleanRecord, type CleanRow } from '../data/clean-record.ts';
import type { RawValue } from '../data/clean-values.ts';
import { Preprocessor, type TransformNotes } from '../data/preprocessor.ts';
import type { ModelBundle } from '../artifact/model-bundle.ts';
import { featureSources, reasonCodes, type Explanation, type FeatureSources } from '../explain/reason-codes.ts';
import { TreeExplainer, type ExplainMethod } from '../explain/tree-shap.ts';
import { decideClass } from '../evaluation/decision-weights.ts';
import { calibrateServed } from './served-probabilities.ts';

export interface Prediction {
  label: string;
  classIndex: number;
  probabilities: Record<string, number>;
  /** Things worth knowing about the input, e.g. a category never seen in training. */
  notes: string[];
  /** The reasons for the predicted class (the decision rule's, when the artifact has one), when asked for. */
  explanation?: Explanation;
}

export interface ExplainRequest {
  /** How many reasons, at most. */
  top: number;
  method: ExplainMethod;
  /** What the user sent for a column (the reasons quote it). */
  valueOf: (column: string) => unknown;
}

export class Predictor {
  readonly preprocessor: Preprocessor;
  private readonly features: Float64Array;
  private readonly proba: Float64Array;
  /** Built on the first explained prediction: the expected values take a pass over every node. */
  private explainer: { tree: TreeExplainer; sources: FeatureSources } | null = null;

  constructor(readonly bundle: ModelBundle) {
    this.preprocessor = new Preprocessor(bundle.preprocessor);
    this.features = new Float64Array(this.preprocessor.featureCount);
    this.proba = new Float64Array(bundle.ensemble.classes);
  }

  get classes(): string[] {
    return this.bundle.spec.target.classes;
  }

  /** Cleans a raw record (CSV strings or JSON values) exactly as training did, then predicts. */
  predictRecord(record: Record<string, RawValue>): Prediction {
    return this.predictClean(cleanRecord(this.bundle.spec, (column) => record[column]));
  }

  predictClean(row: CleanRow, explain?: ExplainRequest): Prediction {
    const notes: TransformNotes = [];
    this.preprocessor.transformRow(row, this.features, 0, notes);
    this.bundle.ensemble.predictProba(this.features, this.proba);
    calibrateServed(this.bundle, this.proba, 1);
    const best = decideClass(this.proba, 0, this.proba.length, this.bundle.decision?.weights);
    const probabilities: Record<string, number> = {};
    this.classes.forEach((label, k) => (probabilities[label] = this.proba[k]));
    const prediction: Prediction = { label: this.classes[best], classIndex: best, probabilities, notes };
    if (explain) prediction.explanation = this.explainFeatures(best, explain);
    return prediction;
  }

  /** Path updates an exact explanation of one row costs on this model (see TreeExplainer.exactCost). Throws ExplainUnavailableError for a model without covers. */
  exactExplainCost(): number {
    return this.explainerOf().tree.exactCost();
  }

  private explainerOf(): { tree: TreeExplainer; sources: FeatureSources } {
    this.explainer ??= { tree: new TreeExplainer(this.bundle.ensemble), sources: featureSources(this.bundle.preprocessor) };
    return this.explainer;
  }

  /** Reasons for class `classIndex` from the features last transformed. Throws ExplainUnavailableError for a model without covers. */
  private explainFeatures(classIndex: number, request: ExplainRequest): Explanation {
    const explainer = this.explainerOf();
    const contributions = explainer.tree.explain(this.features, request.method);
    return reasonCodes(contributions, explainer.sources, this.bundle.ensemble.aggregation, classIndex, request.top, request.method, request.valueOf);
  }
}

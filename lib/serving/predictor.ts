/**
 * A loaded model ready to answer: raw record in, class and probabilities out, through the
 * artifact's own preprocessor, compiled ensemble and calibration (when it has one). One scratch
 * feature row is reused, so a single prediction allocates only its answer. The class is the
 * artifact's decision rule applied to the served probabilities (with one, it may not be the
 * most probable class). Explanations attribute the ensemble's own output (before calibration,
 * which maps each class's probability monotonically) to the features, for the served class.
 *
 * A scorecard model (bundle.scorecard) scores the cleaned row itself (lib/serving/scorecard-scoring.ts),
 * answers its score in points beside the probabilities, and explains with the points table;
 * calibration and the decision rule apply to its probabilities exactly as to the trees'.
 */
import { cleanRecord, type CleanRow } from '../data/clean-record.ts';
import type { RawValue } from '../data/clean-values.ts';
import { Preprocessor, type TransformNotes } from '../data/preprocessor.ts';
import { classCountOf, treeEnsemble, type ModelBundle } from '../artifact/model-bundle.ts';
import { featureSources, reasonCodes, type Explanation, type FeatureSources } from '../explain/reason-codes.ts';
import { TreeExplainer, type Contributions, type ExplainMethod } from '../explain/tree-shap.ts';
import type { Aggregation } from '../trees/compiled-ensemble.ts';
import { decideClass } from '../evaluation/decision-weights.ts';
import { calibrateServed } from './served-probabilities.ts';
import { ScorecardScorer, type PointsExplanation } from './scorecard-scoring.ts';

export interface Prediction {
  label: string;
  classIndex: number;
  probabilities: Record<string, number>;
  /** Things worth knowing about the input, e.g. a category never seen in training. */
  notes: string[];
  /** The reasons for the predicted class (the decision rule's, when the artifact has one), when asked for; a scorecard's from its points table. */
  explanation?: Explanation | PointsExplanation;
  /** A scorecard's score in points (absent for tree models). */
  score?: number;
}

export interface ExplainRequest {
  /** How many reasons, at most. */
  top: number;
  method: ExplainMethod;
  /** What the user sent for a column (the reasons quote it). */
  valueOf: (column: string) => unknown;
}

interface Explainer {
  tree: TreeExplainer;
  sources: FeatureSources;
  aggregation: Aggregation;
  /** Scratch: each tree's leaf, as the approx walk reaches it. */
  leaves: Int32Array;
}

export class Predictor {
  readonly preprocessor: Preprocessor;
  private readonly features: Float64Array;
  private readonly proba: Float64Array;
  /** Built on the first explained prediction: the expected values take a pass over every node. */
  private explainer: Explainer | null = null;
  private readonly scorecard: ScorecardScorer | null;

  constructor(readonly bundle: ModelBundle) {
    this.preprocessor = new Preprocessor(bundle.preprocessor);
    this.features = new Float64Array(this.preprocessor.featureCount);
    this.proba = new Float64Array(classCountOf(bundle));
    this.scorecard = bundle.scorecard ? new ScorecardScorer(bundle.scorecard) : null;
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
    // The preprocessor's notes (e.g. a category never seen in training) hold for a scorecard too; it
    // reads the cleaned row itself, not the feature vector.
    if (this.scorecard) this.preprocessor.noteUnseen(row, notes);
    else this.preprocessor.transformRow(row, this.features, 0, notes);
    // Approx reasons walk every tree's path anyway: the probabilities come from the leaves that walk reaches.
    const approx = explain?.method === 'approx' && !this.scorecard ? this.approxAndProba() : null;
    if (!this.scorecard && !approx) this.ensembleProba();
    const score = this.scorecard?.score(row, this.proba);
    calibrateServed(this.bundle, this.proba, 1);
    const best = decideClass(this.proba, 0, this.proba.length, this.bundle.decision?.weights);
    const probabilities: Record<string, number> = {};
    this.classes.forEach((label, k) => (probabilities[label] = this.proba[k]));
    const prediction: Prediction = {
      label: this.classes[best],
      classIndex: best,
      probabilities,
      notes,
      ...(score !== undefined ? { score } : {}),
    };
    if (explain)
      prediction.explanation = this.scorecard
        ? this.scorecard.explainLast(explain.top, explain.valueOf)
        : this.explainFeatures(best, explain, approx);
    return prediction;
  }

  /**
   * The predictions of many cleaned rows, equal value for value to predictClean on each (no
   * reasons): a tree model's rows go through the ensemble's batch path (tree by tree over blocks of
   * rows, each tree's nodes staying in cache) instead of one walk of every tree per row. A
   * scorecard scores row by row (its row is already a few lookups).
   */
  predictCleanBatch(rows: readonly CleanRow[]): Prediction[] {
    if (this.scorecard || rows.length < 2) return rows.map((row) => this.predictClean(row));
    const p = this.preprocessor.featureCount;
    const X = new Float64Array(rows.length * p);
    const notes = rows.map((row, i): TransformNotes => {
      const rowNotes: TransformNotes = [];
      this.preprocessor.transformRow(row, X, i * p, rowNotes);
      return rowNotes;
    });
    const proba = treeEnsemble(this.bundle, 'tree prediction').predictProbaBatch(X, rows.length);
    const K = this.proba.length;
    calibrateServed(this.bundle, proba, rows.length);
    const classes = this.classes;
    return notes.map((rowNotes, i): Prediction => {
      const best = decideClass(proba, i * K, K, this.bundle.decision?.weights);
      const probabilities: Record<string, number> = {};
      for (let k = 0; k < K; k++) probabilities[classes[k]] = proba[i * K + k];
      return { label: classes[best], classIndex: best, probabilities, notes: rowNotes };
    });
  }

  /** The ensemble's probabilities of the features last transformed, into `proba` (a tree model has no score). */
  private ensembleProba(): undefined {
    treeEnsemble(this.bundle, 'tree prediction').predictProba(this.features, this.proba);
    return undefined;
  }

  /**
   * The approx contributions of the features last transformed, and the ensemble's probabilities
   * into `proba` from the leaves that walk reached: bit for bit predictProba's (one walk, not two).
   */
  private approxAndProba(): Contributions {
    const explainer = this.explainerOf();
    const contributions = explainer.tree.approxWithLeaves(this.features, 0, explainer.leaves);
    treeEnsemble(this.bundle, 'tree prediction').probaOfLeaves(explainer.leaves, this.proba);
    return contributions;
  }

  /**
   * Path updates an exact explanation of one row costs on this model (see TreeExplainer.exactCost). Throws ExplainUnavailableError for a model without covers.
   * A scorecard's reasons cost one pass over its characteristics, whatever the method: 0.
   */
  exactExplainCost(): number {
    return this.scorecard ? 0 : this.explainerOf().tree.exactCost();
  }

  private explainerOf(): Explainer {
    if (!this.explainer) {
      const ensemble = treeEnsemble(this.bundle, 'TreeSHAP');
      this.explainer = {
        tree: new TreeExplainer(ensemble),
        sources: featureSources(this.bundle.preprocessor),
        aggregation: ensemble.aggregation,
        leaves: new Int32Array(ensemble.treeCount),
      };
    }
    return this.explainer;
  }

  /**
   * Reasons for class `classIndex` from the features last transformed (or from their approx
   * contributions, already computed). Throws ExplainUnavailableError for a model without covers.
   */
  private explainFeatures(classIndex: number, request: ExplainRequest, approx: Contributions | null): Explanation {
    const explainer = this.explainerOf();
    const contributions = approx ?? explainer.tree.explain(this.features, request.method);
    return reasonCodes(
      contributions,
      explainer.sources,
      explainer.aggregation,
      classIndex,
      request.top,
      request.method,
      request.valueOf,
    );
  }
}

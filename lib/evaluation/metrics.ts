/**
 * Classification metrics as scikit-learn computes them: confusion matrix (rows = true class,
 * columns = predicted), per-class precision/recall/F1 with zero_division=0, macro averages.
 */
import { applyDecisionWeights } from './decide-class.ts';

export interface ClassificationMetrics {
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  per_class: { precision: number; recall: number; f1: number; support: number }[];
  confusion_matrix: number[][];
}

export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (actual.length !== predicted.length) throw new RangeError('actual and predicted differ in length');
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]][predicted[i]]++;
  return m;
}

export function metricsFromConfusion(m: number[][]): ClassificationMetrics {
  const K = m.length;
  let correct = 0;
  let total = 0;
  const per_class: ClassificationMetrics['per_class'] = [];
  for (let k = 0; k < K; k++) {
    const tp = m[k][k];
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < K; j++) {
      predicted += m[j][k];
      support += m[k][j];
    }
    correct += tp;
    total += support;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    per_class.push({ precision, recall, f1, support });
  }
  const mean = (key: 'precision' | 'recall' | 'f1'): number => per_class.reduce((s, c) => s + c[key], 0) / K;
  return {
    accuracy: total ? correct / total : 0,
    precision_macro: mean('precision'),
    recall_macro: mean('recall'),
    f1_macro: mean('f1'),
    per_class,
    confusion_matrix: m.map((row) => row.slice()),
  };
}

export function classificationMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): ClassificationMetrics {
  return metricsFromConfusion(confusionMatrix(actual, predicted, classes));
}

/** Index of the largest probability in each row (first one on ties, like numpy's argmax). */
export function argmaxRows(probabilities: Float64Array, classes: number): Int32Array {
  return applyDecisionWeights(probabilities, probabilities.length / classes, classes);
}

export function meanAndStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

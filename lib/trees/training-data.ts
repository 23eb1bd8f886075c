/** What a classifier is fitted on: a row-major feature matrix and class indices. */
export interface TrainingData {
  X: Float64Array;
  rows: number;
  features: number;
  y: Int32Array;
  classes: number;
}

/** Called after each tree (or boosting round) with how many are done out of how many. */
export type FitProgress = (done: number, total: number) => void;

export function checkTrainingData({ X, rows, features, y, classes }: TrainingData): void {
  if (rows < 1) throw new RangeError('no training rows');
  if (X.length !== rows * features) throw new RangeError(`X has ${X.length} values, expected ${rows} x ${features}`);
  if (y.length !== rows) throw new RangeError(`y has ${y.length} labels, expected ${rows}`);
  for (let i = 0; i < rows; i++) {
    if (y[i] < 0 || y[i] >= classes)
      throw new RangeError(`label ${y[i]} at row ${i} is not a class index below ${classes}`);
  }
}

/** The rows `indices` of `data`, in that order. */
export function subsetRows(data: TrainingData, indices: Int32Array): TrainingData {
  const { X, features } = data;
  const out = new Float64Array(indices.length * features);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    out.set(X.subarray(indices[i] * features, (indices[i] + 1) * features), i * features);
    y[i] = data.y[indices[i]];
  }
  return { X: out, rows: indices.length, features, y, classes: data.classes };
}

/**
 * BorderlineSMOTE (borderline-1): SMOTE seeded only from "danger" rows, minority rows of which
 * at least half but not all of the m nearest rows (whole data set) belong to other classes.
 * A class without danger rows is not over-sampled, as in imbalanced-learn.
 */
import { Random } from '../util/random.ts';
import { interpolate } from './interpolate.ts';
import { neighboursExcludingSelf } from './neighbours.ts';
import { appendSamples, autoStrategy, indicesOfClass, SamplerError, takeRows, type LabelledMatrix, type Sampler } from './sampler.ts';

export class BorderlineSmote implements Sampler {
  readonly name = 'borderline' as const;
  readonly params: { k_neighbors: number; m_neighbors: number; random_state: number; sampling_ratio: number };

  constructor(params: Partial<BorderlineSmote['params']> = {}) {
    this.params = { k_neighbors: 5, m_neighbors: 10, random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    const rng = new Random(this.params.random_state);
    const { k_neighbors: k, m_neighbors: m } = this.params;
    const blocks = autoStrategy(data.y, data.classes, this.params.sampling_ratio).flatMap((count, label) => {
      if (count === 0) return [];
      const members = indicesOfClass(data.y, label);
      const Xc = takeRows(data.X, data.features, members);
      const danger = dangerRows(data, Xc, members.length, label, m);
      if (danger.length === 0) return [];
      if (members.length < k + 1) {
        throw new SamplerError(`BorderlineSMOTE needs more than k_neighbors=${k} rows of class ${label}, found ${members.length}`);
      }
      const seeds = takeRows(Xc, data.features, danger);
      const nn = neighboursExcludingSelf(Xc, members.length, seeds, danger.length, data.features, k);
      return [{ X: interpolate(seeds, danger.length, Xc, nn, k, data.features, count, rng), rows: count, label }];
    });
    return appendSamples(data, blocks);
  }
}

/** Positions (within the class) of rows with m/2 <= other-class neighbours < m. */
export function dangerRows(data: LabelledMatrix, Xc: Float64Array, classRows: number, label: number, m: number): Int32Array {
  const nn = neighboursExcludingSelf(data.X, data.rows, Xc, classRows, data.features, m);
  const danger: number[] = [];
  for (let i = 0; i < classRows; i++) {
    let others = 0;
    for (let j = 0; j < m; j++) if (data.y[nn[i * m + j]] !== label) others++;
    if (others >= m / 2 && others < m) danger.push(i);
  }
  return Int32Array.from(danger);
}

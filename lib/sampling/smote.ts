/** SMOTE: synthetic rows between each minority row and one of its k nearest same-class rows. */
import { Random } from '../util/random.ts';
import { interpolate } from './interpolate.ts';
import { neighboursExcludingSelf } from './neighbours.ts';
import { appendSamples, autoStrategy, indicesOfClass, SamplerError, takeRows, type LabelledMatrix, type Sampler } from './sampler.ts';

export class Smote implements Sampler {
  readonly name = 'smote' as const;
  readonly params: { k_neighbors: number; random_state: number; sampling_ratio: number };

  constructor(params: Partial<Smote['params']> = {}) {
    this.params = { k_neighbors: 5, random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    const rng = new Random(this.params.random_state);
    const k = this.params.k_neighbors;
    const blocks = autoStrategy(data.y, data.classes, this.params.sampling_ratio).flatMap((count, label) => {
      if (count === 0) return [];
      const members = indicesOfClass(data.y, label);
      if (members.length < k + 1) {
        throw new SamplerError(`SMOTE needs more than k_neighbors=${k} rows of class ${label}, found ${members.length}`);
      }
      const Xc = takeRows(data.X, data.features, members);
      const nn = neighboursExcludingSelf(Xc, members.length, Xc, members.length, data.features, k);
      return [{ X: interpolate(Xc, members.length, Xc, nn, k, data.features, count, rng), rows: count, label }];
    });
    return appendSamples(data, blocks);
  }
}

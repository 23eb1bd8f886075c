/** SMOTE: synthetic rows between each minority row and one of its k nearest same-class rows. */
import { Random } from '../util/random.ts';
import { interpolate } from './interpolate.ts';
import { appendSamples, autoStrategy, indicesOfClass, runSteps, SamplerError, takeRows, type LabelledMatrix, type Sampler, type SamplerSteps } from './sampler.ts';

export class Smote implements Sampler {
  readonly name = 'smote' as const;
  readonly params: { k_neighbors: number; random_state: number; sampling_ratio: number };

  constructor(params: Partial<Smote['params']> = {}) {
    this.params = { k_neighbors: 5, random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    return runSteps(this.steps(data));
  }

  *steps(data: LabelledMatrix): SamplerSteps {
    const rng = new Random(this.params.random_state);
    const k = this.params.k_neighbors;
    const p = data.features;
    const blocks: { X: Float64Array; rows: number; label: number }[] = [];
    const counts = autoStrategy(data.y, data.classes, this.params.sampling_ratio);
    for (let label = 0; label < counts.length; label++) {
      const count = counts[label];
      if (count === 0) continue;
      const members = indicesOfClass(data.y, label);
      if (members.length < k + 1) {
        throw new SamplerError(`SMOTE needs more than k_neighbors=${k} rows of class ${label}, found ${members.length}`);
      }
      const Xc = takeRows(data.X, p, members);
      const nn = yield { points: Xc, pointRows: members.length, queries: Xc, queryRows: members.length, features: p, k };
      blocks.push({ X: interpolate(Xc, members.length, Xc, nn, k, p, count, rng), rows: count, label });
    }
    return appendSamples(data, blocks);
  }
}

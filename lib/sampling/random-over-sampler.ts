/** RandomOverSampler: duplicates randomly drawn rows (with replacement) of each minority class. */
import { Random } from '../util/random.ts';
import {
  appendSamples,
  autoStrategy,
  indicesOfClass,
  takeRows,
  withoutSearches,
  type LabelledMatrix,
  type Sampler,
  type SamplerSteps,
} from './sampler.ts';

export class RandomOverSampler implements Sampler {
  readonly name = 'ros' as const;

  readonly params: { random_state: number; sampling_ratio: number };

  constructor(params: Partial<RandomOverSampler['params']> = {}) {
    this.params = { random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    const rng = new Random(this.params.random_state);
    const blocks = autoStrategy(data.y, data.classes, this.params.sampling_ratio).flatMap((count, k) => {
      if (count === 0) return [];
      const members = indicesOfClass(data.y, k);
      const picks = Int32Array.from({ length: count }, () => members[rng.nextInt(members.length)]);
      return [{ X: takeRows(data.X, data.features, picks), rows: count, label: k }];
    });
    return appendSamples(data, blocks);
  }

  steps(data: LabelledMatrix): SamplerSteps {
    return withoutSearches(() => this.fitResample(data));
  }
}

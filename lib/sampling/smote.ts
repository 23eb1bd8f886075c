/** SMOTE: synthetic rows between each minority row and one of its k nearest same-class rows. */
import { Random } from '../util/random.ts';
import { interpolate } from './interpolate.ts';
import {
  appendSamples,
  raisedClasses,
  runSteps,
  SamplerError,
  type LabelledMatrix,
  type SampleBlock,
  type Sampler,
  type SamplerSteps,
} from './sampler.ts';

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
    const blocks: SampleBlock[] = [];
    for (const { label, count, members, Xc } of raisedClasses(data, this.params.sampling_ratio)) {
      if (members.length < k + 1) {
        throw new SamplerError(
          `SMOTE needs more than k_neighbors=${k} rows of class ${label}, found ${members.length}`,
        );
      }
      const nn = yield {
        points: Xc,
        pointRows: members.length,
        queries: Xc,
        queryRows: members.length,
        features: p,
        k,
      };
      blocks.push({ X: interpolate(Xc, members.length, Xc, nn, k, p, count, rng), rows: count, label });
    }
    return appendSamples(data, blocks);
  }
}

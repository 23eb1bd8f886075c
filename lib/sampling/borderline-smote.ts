/**
 * BorderlineSMOTE (borderline-1): SMOTE seeded only from "danger" rows, minority rows of which
 * at least half but not all of the m nearest rows (whole data set) belong to other classes.
 * A class without danger rows is not over-sampled, as in imbalanced-learn.
 */
import { Random } from '../util/random.ts';
import { interpolate } from './interpolate.ts';
import {
  appendSamples,
  raisedClasses,
  runSteps,
  SamplerError,
  takeRows,
  type LabelledMatrix,
  type SampleBlock,
  type Sampler,
  type SamplerSteps,
} from './sampler.ts';

export class BorderlineSmote implements Sampler {
  readonly name = 'borderline' as const;
  readonly params: { k_neighbors: number; m_neighbors: number; random_state: number; sampling_ratio: number };

  constructor(params: Partial<BorderlineSmote['params']> = {}) {
    this.params = { k_neighbors: 5, m_neighbors: 10, random_state: 0, sampling_ratio: 1, ...params };
  }

  fitResample(data: LabelledMatrix): LabelledMatrix {
    return runSteps(this.steps(data));
  }

  *steps(data: LabelledMatrix): SamplerSteps {
    const rng = new Random(this.params.random_state);
    const { k_neighbors: k, m_neighbors: m } = this.params;
    const p = data.features;
    const blocks: SampleBlock[] = [];
    for (const { label, count, members, Xc } of raisedClasses(data, this.params.sampling_ratio)) {
      const nearest = yield {
        points: data.X,
        pointRows: data.rows,
        queries: Xc,
        queryRows: members.length,
        features: p,
        k: m,
      };
      const danger = dangerRows(data.y, nearest, members.length, label, m);
      if (danger.length === 0) continue;
      if (members.length < k + 1) {
        throw new SamplerError(
          `BorderlineSMOTE needs more than k_neighbors=${k} rows of class ${label}, found ${members.length}`,
        );
      }
      const seeds = takeRows(Xc, p, danger);
      const nn = yield {
        points: Xc,
        pointRows: members.length,
        queries: seeds,
        queryRows: danger.length,
        features: p,
        k,
      };
      blocks.push({ X: interpolate(seeds, danger.length, Xc, nn, k, p, count, rng), rows: count, label });
    }
    return appendSamples(data, blocks);
  }
}

/** Positions (within the class) of rows with m/2 <= other-class neighbours < m, from each class row's m nearest rows (whole data set). */
export function dangerRows(
  y: Int32Array,
  nearest: Int32Array,
  classRows: number,
  label: number,
  m: number,
): Int32Array {
  const danger: number[] = [];
  for (let i = 0; i < classRows; i++) {
    let others = 0;
    for (let j = 0; j < m; j++) if (y[nearest[i * m + j]] !== label) others++;
    if (others >= m / 2 && others < m) danger.push(i);
  }
  return Int32Array.from(danger);
}

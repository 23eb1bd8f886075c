/**
 * A synthetic table shaped like the encoded credit data, for scale tests and benchmarks:
 * 25 numeric features (heavy-tailed amounts, small counts, ratios, binary flags, some
 * missing values), 3 classes at the credit data's shares (Standard 52%, Poor 29%, Good 19%),
 * with a label that depends non-linearly on several features plus noise.
 *
 *   npm run generate-data -- --rows 100000 --seed 7 --out bench/out/credit-like-100k.csv
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Random } from '../../lib/util/random.ts';

export const CREDIT_LIKE_FEATURES = 25;

export interface Table {
  X: Float64Array;
  y: Int32Array;
  rows: number;
  features: number;
}

export function generateCreditLike(rows: number, seed: number): Table {
  const rng = new Random(seed);
  const p = CREDIT_LIKE_FEATURES;
  const X = new Float64Array(rows * p);
  const score = new Float64Array(rows);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  for (let i = 0; i < rows; i++) {
    const o = i * p;
    const income = Math.exp(10.5 + 0.7 * normal()); // annual income, log-normal
    const debt = Math.exp(6.5 + 1.1 * normal());
    const delay = Math.max(0, Math.round(15 + 12 * normal()));
    const delayed = Math.max(0, Math.round(delay / 3 + 4 * normal()));
    const inquiries = Math.max(0, Math.round(5 + 3 * normal()));
    const history = Math.max(0, Math.round(220 + 95 * normal()));
    const cards = Math.max(0, Math.min(11, Math.round(5 + 2 * normal())));
    const mix = rng.nextInt(3);
    X[o] = income;
    X[o + 1] = (income / 12) * (0.8 + 0.1 * rng.nextFloat());
    X[o + 2] = cards;
    X[o + 3] = Math.max(0, Math.min(11, Math.round(5 + 2.5 * normal())));
    X[o + 4] = Math.max(1, Math.min(34, Math.round(14 + 8 * normal())));
    X[o + 5] = Math.max(0, Math.min(9, Math.round(3.5 + 2.3 * normal())));
    X[o + 6] = delay;
    X[o + 7] = delayed;
    X[o + 8] = 10 + 6.5 * normal();
    X[o + 9] = inquiries;
    X[o + 10] = mix;
    X[o + 11] = debt;
    X[o + 12] = 32 + 5 * normal();
    X[o + 13] = history;
    X[o + 14] = rng.nextFloat() < 0.55 ? 1 : 0;
    X[o + 15] = Math.exp(4.5 + 1.2 * normal());
    X[o + 16] = Math.exp(5 + 0.9 * normal());
    X[o + 17] = 400 + 200 * normal();
    for (let f = 18; f < p; f++) X[o + f] = rng.nextFloat() < 0.3 ? 1 : 0; // one-hot-like flags
    // Missing values where the raw export has them (~5% of a few columns).
    for (const f of [1, 7, 9, 13, 15]) if (rng.nextFloat() < 0.05) X[o + f] = NaN;
    score[i] =
      0.9 * Math.log(debt / 800) +
      0.05 * delay +
      0.12 * Math.min(delayed, 20) +
      0.1 * inquiries -
      0.006 * history -
      0.7 * (mix - 1) -
      0.3 * Math.log(income / 40000) +
      0.4 * X[o + 18] * X[o + 19] +
      0.8 * normal();
  }
  // Class by score quantile: Good (lowest risk) 19%, Standard 52%, Poor 29%.
  const sorted = Float64Array.from(score).sort();
  const goodBelow = sorted[Math.floor(rows * 0.19)];
  const poorFrom = sorted[Math.floor(rows * 0.71)];
  const y = Int32Array.from(score, (s) => (s < goodBelow ? 0 : s >= poorFrom ? 2 : 1));
  return { X, y, rows, features: p };
}

export function tableToCsv(table: Table): string {
  const lines = [[...Array.from({ length: table.features }, (_, f) => `f${f}`), 'label'].join(',')];
  for (let i = 0; i < table.rows; i++) {
    const cells = Array.from(table.X.subarray(i * table.features, (i + 1) * table.features), (v) =>
      Number.isNaN(v) ? '' : String(v),
    );
    lines.push([...cells, String(table.y[i])].join(','));
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '7' },
      out: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  writeFileSync(values.out, tableToCsv(generateCreditLike(Number(values.rows), Number(values.seed))));
}

/**
 * The forest's single-row walk (CompiledEnsemble.predictProba) beside a refilled-lanes walk tried
 * for issue 29 (bench/forest-walk-refilled.ts), alternated in one process on the speed table's
 * forest (100 fully grown trees on 80,000 rows of the credit-like table, seed 7; built once and
 * cached in bench/out/forest-walk-<rows>.bin):
 *   node --import tsx bench/forest-walk.ts [-- --rows 100000 --rounds 15 --block 1000]
 * Per round and side: wall time per row (median of blocks of `block` rows) and CPU time per row
 * (process.cpuUsage around each block); medians over all blocks. Checks the two agree bit for bit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { generateCreditLike } from '../data/generators/credit-like.ts';
import { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import { ForestWalkRefilled } from './forest-walk-refilled.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '15' },
    block: { type: 'string', default: '1000' },
  },
});
const rows = Number(values.rows);
const table = generateCreditLike(rows, 7);
const p = table.features;
const split = Math.floor(rows * 0.8);
// The speed bench imputes training medians (scikit-learn 1.2's forest refuses NaN); so do we.
const medians = Float64Array.from({ length: p }, (_, f) => {
  const v: number[] = [];
  for (let i = 0; i < split; i++) if (!Number.isNaN(table.X[i * p + f])) v.push(table.X[i * p + f]);
  v.sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
});
const X = table.X.slice();
for (let i = 0; i < X.length; i++) if (Number.isNaN(X[i])) X[i] = medians[i % p];
const file = `bench/out/forest-walk-${rows}.bin`;
let model: CompiledEnsemble;
if (existsSync(file)) model = CompiledEnsemble.fromBuffer(new Uint8Array(readFileSync(file)));
else {
  process.stderr.write('training the 100-tree forest (once; cached in bench/out)\n');
  const train = { X: X.slice(0, split * p), rows: split, features: p, y: table.y.slice(0, split), classes: 3 };
  model = new RandomForestClassifier({ n_estimators: 100, random_state: 0 }).fit(train);
  mkdirSync('bench/out', { recursive: true });
  writeFileSync(file, model.toBuffer());
}
const test = X.subarray(split * p);
const testRows = rows - split;
const refilled = new ForestWalkRefilled(model);
const outA = new Float64Array(model.classes);
const outB = new Float64Array(model.classes);
let differing = 0;
for (let i = 0; i < testRows; i++) {
  refilled.predictProba(test, outA, i * p);
  model.predictProba(test, outB, i * p);
  if (outA.some((v, k) => !Object.is(v, outB[k]))) differing++;
}
const block = Number(values.block);
const sides = [
  {
    name: 'fixed groups of eight trees, each walked for its deepest tree (CompiledEnsemble.predictProba)',
    run: (i: number) => model.predictProba(test, outB, i * p),
    wall: [] as number[],
    cpu: [] as number[],
  },
  {
    name: 'eight refilled lanes, tried and dropped (bench/forest-walk-refilled.ts)',
    run: (i: number) => refilled.predictProba(test, outA, i * p),
    wall: [] as number[],
    cpu: [] as number[],
  },
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let at = 0;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const side of sides) {
    for (let b = 0; b < 5; b++) {
      const from = (at = (at + block) % (testRows - block));
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let i = from; i < from + block; i++) side.run(i);
      const wall = Number(process.hrtime.bigint() - started) / 1000 / block;
      const used = process.cpuUsage(cpu);
      side.wall.push(wall);
      side.cpu.push((used.user + used.system) / block);
    }
  }
}
console.log(
  `forest: ${model.treeCount} trees, ${model.nodeCount.toLocaleString('en-US')} nodes; ${testRows.toLocaleString('en-US')} test rows`,
);
console.log(`refilled vs fixed groups: ${differing} of ${testRows} rows differ in any bit`);
console.log('');
console.log(
  `| single row, alternated, ${values.rounds} rounds x 5 blocks of ${block} rows | wall per row, median block | CPU per row, median block |`,
);
console.log('| --- | --- | --- |');
for (const side of sides)
  console.log(`| ${side.name} | ${median(side.wall).toFixed(1)} µs | ${median(side.cpu).toFixed(1)} µs |`);
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);

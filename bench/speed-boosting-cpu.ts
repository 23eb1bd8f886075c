/**
 * Boosting's one-thread fit in process CPU seconds, ours exact, ours with quantised gradients
 * and xgboost hist, alternating in turns in one run (a shared, loaded machine inflates wall
 * time by whatever else runs; CPU time much less):
 *   node --import tsx bench/speed-boosting-cpu.ts [--rows 100000] [--rounds 200] [--turns 3] [--skip-reference]
 * The table, split and parameters are bench/speed.ts's (xgboost's defaults: depth 6, eta 0.3,
 * 256 bins); xgboost runs in bench/speed_boosting_cpu.py. Reports each side's fastest turn,
 * every turn, and the macro F1 on the held-out 20 %; writes bench/out/speed-boosting-cpu.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCreditLike, tableToCsv } from '../data/generators/credit-like.ts';
import { argmaxRows, classificationMetrics } from '../lib/evaluation/metrics.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '200' },
    turns: { type: 'string', default: '3' },
    'skip-reference': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const outDir = 'bench/out';
mkdirSync(outDir, { recursive: true });
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const table = generateCreditLike(rows, 7);
const csv = `${outDir}/credit-like-${rows}.csv`;
if (!existsSync(csv)) writeFileSync(csv, tableToCsv(table));
const split = Math.floor(rows * 0.8);
const p = table.features;
const train = { X: table.X.slice(0, split * p), rows: split, features: p, y: table.y.slice(0, split), classes: 3 };
const testX = table.X.slice(split * p);
const testY = table.y.slice(split);

/** Process CPU seconds (every thread of the process) of one fit, and its macro F1. */
function ours(quantised: boolean): { cpu_s: number; f1_macro: number } {
  const before = process.cpuUsage();
  const model = new GradientBoostingClassifier({
    n_estimators: rounds,
    random_state: 0,
    quantised_gradients: quantised,
  }).fit(train);
  const used = process.cpuUsage(before);
  const predicted = argmaxRows(model.predictProbaBatch(testX, rows - split), 3);
  return { cpu_s: (used.user + used.system) / 1e6, f1_macro: classificationMetrics(testY, predicted, 3).f1_macro };
}

function xgboost(): { cpu_s: number; f1_macro: number } {
  const out = execFileSync('/usr/bin/python3', ['bench/speed_boosting_cpu.py', csv, String(rounds)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  return JSON.parse(out) as { cpu_s: number; f1_macro: number };
}

type Side = 'exact' | 'quantised' | 'xgboost';
const turns: Record<Side, number>[] = [];
const f1: Partial<Record<Side, number>> = {};
for (let turn = 1; turn <= Number(values.turns); turn++) {
  const times = {} as Record<Side, number>;
  // Every other turn in the reverse order, so that a drift in the machine's speed hits every side alike.
  const order: Side[] = turn % 2 ? ['exact', 'quantised', 'xgboost'] : ['xgboost', 'quantised', 'exact'];
  for (const side of order) {
    if (side === 'xgboost' && values['skip-reference']) continue;
    log(`turn ${turn}: ${side}`);
    const result = side === 'xgboost' ? xgboost() : ours(side === 'quantised');
    times[side] = result.cpu_s;
    f1[side] = result.f1_macro;
  }
  turns.push(times);
}
const fastest = (side: Side): number => Math.min(...turns.map((t) => t[side] ?? Infinity));
const fixed = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const xgb = fastest('xgboost');
console.log(`| ${rows} rows, ${rounds} rounds, one thread | fastest CPU s | every turn | ours/xgboost | macro F1 |`);
console.log('| --- | --- | --- | --- | --- |');
for (const side of ['exact', 'quantised', 'xgboost'] as Side[]) {
  console.log(
    `| ${side} | ${fixed(fastest(side))} | ${turns.map((t) => fixed(t[side] ?? NaN)).join(', ')} | ` +
      `${side === 'xgboost' ? '' : fixed(fastest(side) / xgb)} | ${fixed(f1[side] ?? NaN, 4)} |`,
  );
}
writeFileSync(`${outDir}/speed-boosting-cpu.json`, JSON.stringify({ rows, rounds, turns, f1 }, null, 2));

/**
 * Quality against the reference, side by side in one run:
 *   npm run bench:quality [-- --datasets credit,taiwan] [--cv 5] [--seed 42]
 * For each dataset: our full candidate search (npm run train) and scikit-learn +
 * imbalanced-learn + xgboost (bench/reference_quality.py with /usr/bin/python3) on the folds
 * our pipeline exports, then one table of mean macro F1 per candidate and the best of each, and
 * one of how they rank (AUC, Gini, KS: the means over the same folds).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const DATASETS: Record<string, { data: string; spec: string }> = {
  credit: { data: 'data/credit_score_customers_raw.csv', spec: 'data/specs/credit-score.json' },
  taiwan: { data: 'data/taiwan_credit_default.csv', spec: 'data/specs/taiwan-credit-default.json' },
};

interface Candidate {
  classifier: string;
  sampler: string;
  cv?: { f1_macro: number; accuracy: number; roc_auc?: number; ks?: number };
  /** Ours: ranking over the folds (the reference puts roc_auc and ks in cv). */
  ranking?: { roc_auc: number | null; ks: number | null };
  fit_seconds?: number;
  error?: string;
}

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'credit,taiwan' },
    cv: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
  },
});
const outDir = 'bench/out/quality';
mkdirSync(outDir, { recursive: true });
const tsx = ['node_modules/.bin/tsx'];
let failed = false;
for (const name of values.datasets.split(',')) {
  const ds = DATASETS[name];
  if (!ds) throw new Error(`unknown dataset ${name}`);
  const folds = join(outDir, `${name}-folds`);
  const report = join(outDir, `${name}-ours.json`);
  const reference = join(outDir, `${name}-reference.json`);
  const common = ['--data', ds.data, '--spec', ds.spec, '--cv', values.cv, '--seed', values.seed];
  execFileSync(tsx[0], ['scripts/export-folds.ts', ...common, '--out', folds], { stdio: 'inherit' });
  execFileSync(
    tsx[0],
    ['scripts/train.ts', ...common, '--out', join(outDir, `${name}-model`), '--report', report, '--quiet'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const refJson = execFileSync('/usr/bin/python3', ['bench/reference_quality.py', folds, '--seed', values.seed], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  writeFileSync(reference, refJson);
  const ours: Candidate[] = JSON.parse(readFileSync(report, 'utf8')).candidates;
  const theirs: Candidate[] = JSON.parse(refJson.toString()).candidates;
  console.log(`\n## ${name} (${ds.data}), ${values.cv}-fold CV, seed ${values.seed}\n`);
  console.log('| candidate | ours macro F1 | reference macro F1 | difference | ours s/fold | reference s/fold |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const o of ours) {
    const t = theirs.find((c) => c.classifier === o.classifier && c.sampler === o.sampler);
    const f = (c?: Candidate): string => (c?.cv ? c.cv.f1_macro.toFixed(4) : `failed (${c?.error ?? 'missing'})`);
    const d = o.cv && t?.cv ? (o.cv.f1_macro - t.cv.f1_macro).toFixed(4) : '';
    console.log(
      `| ${o.classifier}+${o.sampler} | ${f(o)} | ${f(t)} | ${d} | ${o.fit_seconds?.toFixed(2) ?? ''} | ${t?.fit_seconds?.toFixed(2) ?? ''} |`,
    );
  }
  // How the candidates rank, on the same folds: AUC (one-vs-rest macro, or the positive class's), Gini = 2 AUC - 1, KS.
  const auc = (c?: Candidate): number | null => c?.ranking?.roc_auc ?? c?.cv?.roc_auc ?? null;
  const ksOf = (c?: Candidate): number | null => c?.ranking?.ks ?? c?.cv?.ks ?? null;
  const n = (v: number | null): string => (v === null ? '-' : v.toFixed(4));
  console.log('\n| candidate | ours AUC | reference AUC | ours Gini | reference Gini | ours KS | reference KS |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const o of ours) {
    const t = theirs.find((c) => c.classifier === o.classifier && c.sampler === o.sampler);
    const gini = (c?: Candidate): number | null => (auc(c) === null ? null : 2 * auc(c)! - 1);
    console.log(
      `| ${o.classifier}+${o.sampler} | ${n(auc(o))} | ${n(auc(t))} | ${n(gini(o))} | ${n(gini(t))} | ${n(ksOf(o))} | ${n(ksOf(t))} |`,
    );
  }
  const best = (cs: Candidate[]): Candidate =>
    cs.filter((c) => c.cv).reduce((a, b) => (b.cv!.f1_macro > a.cv!.f1_macro ? b : a));
  const bo = best(ours);
  const bt = best(theirs);
  const margin = bo.cv!.f1_macro - bt.cv!.f1_macro;
  const pass = margin >= -0.01;
  failed ||= !pass;
  console.log(
    `\nbest ours: ${bo.classifier}+${bo.sampler} ${bo.cv!.f1_macro.toFixed(4)}; best reference: ${bt.classifier}+${bt.sampler} ${bt.cv!.f1_macro.toFixed(4)}; ` +
      `difference ${margin >= 0 ? '+' : ''}${margin.toFixed(4)} (goal >= -0.01): ${pass ? 'PASS' : 'FAIL'}`,
  );
}
process.exitCode = failed ? 1 : 0;

import { treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { TreeExplainer } from '../lib/explain/tree-shap.ts';
const { bundle } = await readArtifactDirectory('/work/main/bench/out/quality/credit-model');
const e = treeEnsemble(bundle, 'x');
const ex = new TreeExplainer(e);
const F = e.features;
console.log('features', F, 'outputs', e.outputs);
const X = new Float64Array(F * 50).map(() => Math.random() * 3);
for (let k = 0; k < 3; k++) {
const t0 = process.hrtime.bigint();
for (let r = 0; r < 4000; r++) ex.explain(X, 'approx', (r % 50) * F);
console.log(Number(process.hrtime.bigint() - t0) / 4000 / 1000, 'us/row');
}

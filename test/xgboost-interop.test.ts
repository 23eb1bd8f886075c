import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { loadXgboostJson, XgboostImportError } from '../lib/trees/xgboost-json.ts';

const dir = 'test/fixtures/xgboost';

function readRows(name: string): { X: number[][]; expected: number[][] } {
  const [header, ...lines] = readFileSync(`${dir}/${name}.rows.csv`, 'utf8').trim().split('\n');
  const features = header.split(',').filter((h) => h.startsWith('f')).length;
  const rows = lines.map((l) => l.split(',').map((v) => (v === '' ? NaN : Number(v))));
  return { X: rows.map((r) => r.slice(0, features)), expected: rows.map((r) => r.slice(features)) };
}

describe('XGBoost JSON models (fixtures made by Debian python3-xgboost 1.7)', () => {
  for (const name of ['multiclass', 'binary']) {
    it(`${name}: reproduces predict_proba within 1e-6, missing values included`, () => {
      const ensemble = loadXgboostJson(JSON.parse(readFileSync(`${dir}/${name}.model.json`, 'utf8')));
      const { X, expected } = readRows(name);
      expect(X.some((r) => r.some(Number.isNaN))).toBe(true);
      const out = new Float64Array(ensemble.classes);
      let worst = 0;
      X.forEach((row, i) => {
        ensemble.predictProba(row, out);
        expected[i].forEach((p, k) => (worst = Math.max(worst, Math.abs(out[k] - p))));
      });
      expect(expected[0]).toHaveLength(ensemble.classes);
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('survives the binary round trip unchanged', () => {
    const ensemble = loadXgboostJson(JSON.parse(readFileSync(`${dir}/multiclass.model.json`, 'utf8')));
    const reloaded = CompiledEnsemble.fromBuffer(ensemble.toBuffer());
    const { X } = readRows('multiclass');
    const flat = Float64Array.from(X.flat());
    expect(reloaded.predictProbaBatch(flat, X.length)).toEqual(ensemble.predictProbaBatch(flat, X.length));
  });

  it('refuses what it cannot reproduce, naming the reason', () => {
    const json = JSON.parse(readFileSync(`${dir}/binary.model.json`, 'utf8'));
    expect(() => loadXgboostJson({ learner: {} })).toThrow(XgboostImportError);
    json.learner.objective.name = 'reg:squarederror';
    expect(() => loadXgboostJson(json)).toThrow(/objective reg:squarederror is not supported/);
    const broken = JSON.parse(readFileSync(`${dir}/binary.model.json`, 'utf8'));
    broken.learner.gradient_booster.model.trees[0].split_indices[0] = 99;
    expect(() => loadXgboostJson(broken)).toThrow(/feature 99/);
  });
});

/**
 * Calibrated probabilities end to end on the Taiwan data (binary, 22 % defaults): the nested
 * Brier score, log loss and ECE of each method beside the uncalibrated ones in the report, the
 * calibrators in the artifact (format version 3), the same calibrated probabilities and labels
 * from the predict CLI and over HTTP (/predict and the Open Inference Protocol), and artifacts
 * whose calibration does not fit their manifest or model refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { filesToBundle, treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { readCsvFile } from '../lib/data/dataset.ts';
import { cleanEachRecord } from '../lib/data/clean-each-record.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { applyCalibration } from '../lib/evaluation/calibrators.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { runScript } from './helpers.ts';
import { parseScores, TAIWAN_SPEC, taiwanSplit } from './taiwan-split.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const { dir, data, unseen } = taiwanSplit('calibration', 1500, 1000);
const SPEC = TAIWAN_SPEC;
const settings = [
  '--data',
  data,
  '--spec',
  SPEC,
  '--cv',
  '3',
  '--seed',
  '42',
  '--classifiers',
  'rf',
  '--samplers',
  'none',
  '--quiet',
];
const isotonic = { dir: join(dir, 'isotonic'), report: join(dir, 'isotonic.json') };
const auto = { dir: join(dir, 'auto'), report: join(dir, 'auto.json') };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reports and bodies are asserted field by field
type Json = any;

beforeAll(async () => {
  // A forest's probabilities are vote shares: far from calibrated, so calibration has something to fix.
  for (const [mode, target] of [
    ['isotonic', isotonic],
    ['auto', auto],
  ] as const) {
    const trained = await runScript(
      'train',
      [
        ...settings,
        '--calibration',
        mode,
        '--decision-rule',
        mode === 'isotonic' ? 'on' : 'off',
        '--out',
        target.dir,
        '--report',
        target.report,
      ],
      240_000,
    );
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/calibration: /);
  }
}, 480_000);

describe('train --calibration', () => {
  it("isotonic: reports each method's nested Brier, log loss and ECE beside the uncalibrated, and stores the calibrators (format 3)", async () => {
    const report: Json = JSON.parse(readFileSync(isotonic.report, 'utf8'));
    const c = report.calibration;
    expect(c).toMatchObject({ mode: 'isotonic', applied: true, method: 'isotonic' });
    for (const method of ['uncalibrated', 'sigmoid', 'isotonic']) {
      for (const metric of ['brier', 'log_loss', 'ece', 'f1_macro_argmax'])
        expect(c.nested[method][metric], `${method} ${metric}`).toBeGreaterThan(0);
    }
    // The uncalibrated side is the CV's own outer test probabilities: its macro F1 is the CV's.
    expect(c.nested.uncalibrated.f1_macro_argmax).toBeCloseTo(report.best.cv.f1_macro, 12);
    expect(c.reliability.calibrated.reduce((n: number, r: Json) => n + r.count, 0)).toBe(1500);
    expect(c.reliability.uncalibrated.reduce((n: number, r: Json) => n + r.count, 0)).toBe(1500);
    const { bundle, manifest } = await readArtifactDirectory(isotonic.dir);
    expect(manifest.formatVersion).toBe(3);
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(['calibration.json', 'decision.json']));
    expect(bundle.calibration!.calibration.method).toBe('isotonic');
    expect(bundle.calibration!.calibration.calibrators).toHaveLength(1); // two classes: the second class's curve
    expect(bundle.calibration!.nestedBrier).toEqual({
      uncalibrated: c.nested.uncalibrated.brier,
      calibrated: c.nested.isotonic.brier,
    });
    expect(report.decision_rule.applied).toBe(true);
  });

  it('auto: applies the method with the lowest nested Brier score only when it beats the uncalibrated', async () => {
    const c: Json = JSON.parse(readFileSync(auto.report, 'utf8')).calibration;
    expect(c.mode).toBe('auto');
    const best = c.nested.sigmoid.brier <= c.nested.isotonic.brier ? 'sigmoid' : 'isotonic';
    expect(c.applied).toBe(c.nested[best].brier < c.nested.uncalibrated.brier);
    const { bundle, manifest } = await readArtifactDirectory(auto.dir);
    expect(manifest.formatVersion).toBe(c.applied ? 3 : 1);
    if (c.applied) expect(bundle.calibration!.calibration.method).toBe(best);
    else expect(bundle.calibration).toBeUndefined();
  });

  it('refuses an unknown mode with a usage error', async () => {
    const bad = await runScript('train', [...settings, '--calibration', 'platt']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--calibration is off, auto, sigmoid, isotonic, got "platt"/);
  });
});

describe('a calibrated artifact', () => {
  let s3: EmbeddedS3;
  let api: InProcessApi;
  let cli: Record<string, string>[];
  const csv = readCsvFile(unseen);
  const record = (r: number): Record<string, string> =>
    Object.fromEntries(csv.header.map((column, i) => [column, csv.records[r][i]]));

  beforeAll(async () => {
    const predicted = await runScript('predict', ['--model', isotonic.dir, '--data', unseen, '--explain', '2']);
    expect(predicted.code, predicted.stderr).toBe(0);
    cli = parseScores(predicted.stdout);
    const { s3: started, store } = await startTestS3();
    s3 = started;
    const registry = new ModelRegistry(store);
    const files = new Map(
      readdirSync(isotonic.dir).map((name) => [name, new Uint8Array(readFileSync(join(isotonic.dir, name)))]),
    );
    const { version } = await registry.publish('taiwan-credit-default', files, { createdBy: 'test' });
    await registry.moveAlias('taiwan-credit-default', 'champion', version, { reason: 'test', actor: 'test' });
    api = await startInProcessApi({
      MODEL_NAME: 'taiwan-credit-default',
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'silent',
    });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it("serves its calibrators' output in the predict CLI, not the ensemble's own probabilities", async () => {
    const { bundle } = await readArtifactDirectory(isotonic.dir);
    const preprocessor = new Preprocessor(bundle.preprocessor);
    const rows = cleanEachRecord(csv, bundle.spec, unseen).map((c) => c.row!);
    const X = preprocessor.transform(rows);
    const raw = treeEnsemble(bundle, 'this test').predictProbaBatch(X, rows.length);
    const calibrated = raw.slice();
    applyCalibration(bundle.calibration!.calibration, calibrated, rows.length, 2);
    let moved = 0;
    cli.forEach((row, r) => {
      expect(Number(row.p_1), `row ${r}`).toBeCloseTo(calibrated[r * 2 + 1], 6);
      if (Math.abs(raw[r * 2 + 1] - calibrated[r * 2 + 1]) > 0.01) moved++;
    });
    expect(moved).toBeGreaterThan(100);
  });

  it('gives the same probabilities, labels and reasons over HTTP (/predict and the Open Inference Protocol) as the CLI, and shows its calibration in /model/info', async () => {
    const chosen = Array.from({ length: 10 }, (_, j) => j * 37);
    const post = async (path: string, body: unknown): Promise<Json> => {
      const response = await fetch(api.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await response.json();
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    };
    const predictions: Json[] = (
      await post('/predict?explain=2&explainMethod=exact', { instances: chosen.map(record) })
    ).predictions;
    predictions.forEach((p, j) => {
      const row = cli[chosen[j]];
      expect(p.prediction, `row ${chosen[j]}`).toBe(row.prediction);
      expect(p.probabilities['1']).toBeCloseTo(Number(row.p_1), 6);
      expect(p.probabilities['0']).toBeCloseTo(Number(row.p_0), 6);
      expect(p.baseValue.toPrecision(6)).toBe(row.base_value);
      expect(p.reasons[0].feature).toBe(row.reason_1);
    });
    const columns = csv.header.filter((c) => c !== 'defaulted');
    const inputs = columns.map((name) => ({
      name,
      datatype: 'BYTES',
      shape: [chosen.length],
      data: chosen.map((r) => record(r)[name]),
    }));
    const inferred: Json = await post('/v2/models/taiwan-credit-default/infer', { inputs });
    expect(inferred.outputs.find((o: Json) => o.name === 'label').data).toEqual(chosen.map((r) => cli[r].prediction));
    const info: Json = await (await fetch(`${api.url}/model/info`, { signal: AbortSignal.timeout(30_000) })).json();
    expect(info.calibration.calibration.method).toBe('isotonic');
  });

  it("is refused when its manifest says version 2, or its calibrators do not fit the model's classes", () => {
    const files = new Map(
      readdirSync(isotonic.dir).map((name) => [name, new Uint8Array(readFileSync(join(isotonic.dir, name)))]),
    );
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    const downgraded = new Map(files);
    downgraded.set('manifest.json', new TextEncoder().encode(JSON.stringify({ ...manifest, formatVersion: 2 })));
    expect(() => filesToBundle(downgraded)).toThrow('format version 2 cannot carry calibration.json');
    // Two curves for a binary model: rewritten with a manifest that matches, so only the shape is wrong.
    const stored = JSON.parse(new TextDecoder().decode(files.get('calibration.json')));
    stored.calibration.calibrators.push(stored.calibration.calibrators[0]);
    const bytes = new TextEncoder().encode(JSON.stringify(stored));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const reshaped = new Map(files);
    reshaped.set('calibration.json', bytes);
    reshaped.set(
      'manifest.json',
      new TextEncoder().encode(
        JSON.stringify({
          ...manifest,
          files: { ...manifest.files, 'calibration.json': { sha256: sha, bytes: bytes.byteLength } },
        }),
      ),
    );
    expect(() => filesToBundle(reshaped)).toThrow(
      "calibration.json has 2 calibrators, the ensemble's 2 classes need 1",
    );
  });
});

/**
 * Every JSON file of a model artifact is parsed by its schema on load (preprocessor.json,
 * baseline.json, metrics.json, params.json here; spec, data, decision, calibration and scorecard
 * files in their own tests), so a file that passes its
 * checksum (the manifest rewritten with it, as a hand edit or a buggy writer would) but is not what
 * serving reads is refused naming the file and the field, instead of failing later mid-request.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, filesToBundle } from '../lib/artifact/model-bundle.ts';
import type { TrainingBaseline } from '../lib/data/training-baseline.ts';
import { baselineFingerprint } from '../lib/drift/baseline-fingerprint.ts';
import { trainSmallModel } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stored document edited field by field
type Json = any;
let files: Map<string, Uint8Array>;

beforeAll(async () => {
  files = (await trainSmallModel()).files;
}, 120_000);

/** The artifact with `name` edited and the manifest's checksum and size rewritten to match. */
function edited(name: string, edit: (json: Json) => void): Map<string, Uint8Array> {
  const json = JSON.parse(new TextDecoder().decode(files.get(name))) as Json;
  edit(json);
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as Json;
  manifest.files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
  return new Map([...files, [name, bytes], ['manifest.json', new TextEncoder().encode(JSON.stringify(manifest))]]);
}

function refusal(damaged: Map<string, Uint8Array>): string {
  try {
    filesToBundle(damaged);
  } catch (err) {
    expect(err).toBeInstanceOf(ArtifactError);
    return (err as Error).message;
  }
  throw new Error('the damaged artifact was loaded');
}

describe('artifact files parsed by their schemas', () => {
  it('loads the artifact as written: each parsed file prints as it is stored, so the baseline keeps its fingerprint', () => {
    const { bundle } = filesToBundle(files);
    expect(bundle.preprocessor.featureNames.length).toBeGreaterThan(0);
    expect(bundle.baseline.numeric.length).toBeGreaterThan(0);
    const stored = (name: string): unknown => JSON.parse(new TextDecoder().decode(files.get(name)));
    // Monitoring summaries key feature counts by a hash of the baseline's JSON: a parse that
    // reordered keys would orphan every summary written before it.
    expect(JSON.stringify(bundle.baseline)).toBe(JSON.stringify(stored('baseline.json')));
    expect(baselineFingerprint(bundle.baseline)).toBe(baselineFingerprint(stored('baseline.json') as TrainingBaseline));
    expect(JSON.stringify(bundle.preprocessor)).toBe(JSON.stringify(stored('preprocessor.json')));
  });

  it('refuses preprocessor.json with a step of the wrong type or an unknown encoding, naming the field', () => {
    expect(refusal(edited('preprocessor.json', (p) => (p.numeric[0].median = 'high')))).toMatch(
      /^preprocessor\.json: numeric\.0\.median: /,
    );
    expect(refusal(edited('preprocessor.json', (p) => (p.categorical[0].encoding = 'target')))).toMatch(
      /^preprocessor\.json: categorical\.0\.encoding: /,
    );
    expect(refusal(edited('preprocessor.json', (p) => delete p.featureNames))).toMatch(
      /^preprocessor\.json: featureNames: /,
    );
  });

  it('refuses baseline.json with edges that are not numbers or a share above 1, naming the field', () => {
    expect(refusal(edited('baseline.json', (b) => (b.numeric[0].edges = 'deciles')))).toMatch(
      /^baseline\.json: numeric\.0\.edges: /,
    );
    expect(refusal(edited('baseline.json', (b) => (b.numeric[0].proportions[0] = 1.5)))).toMatch(
      /^baseline\.json: numeric\.0\.proportions\.0: /,
    );
    expect(refusal(edited('baseline.json', (b) => delete b.categorical))).toMatch(/^baseline\.json: categorical: /);
  });

  it('refuses metrics.json without its cross-validated scores or with a ranking that is not numbers, and params.json without the classifier, naming the field', () => {
    expect(refusal(edited('metrics.json', (m) => delete m.cv))).toMatch(/^metrics\.json: cv: /);
    expect(refusal(edited('metrics.json', (m) => (m.ranking.roc_auc = 'high')))).toMatch(
      /^metrics\.json: ranking\.roc_auc: /,
    );
    expect(refusal(edited('params.json', (p) => delete p.classifier))).toMatch(/^params\.json: classifier: /);
  });

  it('loads metrics.json as older versions wrote it: no spread over the folds, no ranking or calibration, report fields kept', () => {
    const { bundle } = filesToBundle(
      edited('metrics.json', (m) => {
        delete m.cv.f1_macro_std;
        delete m.ranking;
        delete m.calibration;
      }),
    );
    expect(bundle.metrics.ranking).toBeUndefined();
    expect(bundle.metrics.cv.f1_macro).toBeGreaterThan(0);
    expect(bundle.metrics.candidates).toEqual(
      (JSON.parse(new TextDecoder().decode(files.get('metrics.json'))) as Json).candidates,
    );
  });
});

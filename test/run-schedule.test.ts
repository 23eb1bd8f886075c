/** The cluster's schedules: the image's own command runs one scheduled handler against the store and exits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { runScript } from './helpers.ts';
import { startServingS3 } from './s3.ts';

let s3: EmbeddedS3;
let env: Record<string, string>;

beforeAll(async () => {
  const serving = await startServingS3();
  s3 = serving.s3;
  env = { ...serving.env, ADMIN_API_KEYS: 'schedule-test-key-0123456789abcdef', LOG_LEVEL: 'silent' };
}, 120_000);

afterAll(() => s3?.close());

describe('run-schedule', () => {
  it('runs the canary controller, the drift check and housekeeping once each over every model, printing the result, and exits', async () => {
    const canary = await runScript('run-schedule', ['canary'], 60_000, env);
    expect(canary.code).toBe(0);
    expect(JSON.parse(canary.stdout)).toEqual({
      task: 'canary',
      result: { models: [{ model: 'credit-score', mode: 'single', applied: false }] },
    });
    const drift = await runScript('run-schedule', ['drift'], 60_000, env);
    expect(drift.code).toBe(0);
    // No traffic captured yet: nothing to compare.
    expect(JSON.parse(drift.stdout)).toMatchObject({
      task: 'drift',
      result: { models: [{ model: 'credit-score', verdict: 'insufficient', rows: 0 }] },
    });
    const housekeeping = await runScript('run-schedule', ['housekeeping'], 60_000, env);
    expect(JSON.parse(housekeeping.stdout)).toEqual({
      task: 'housekeeping',
      result: { deadJobs: 0, removedVersions: 0 },
    });
  });

  it('fails with exit 1 naming the cause when the store cannot be reached, and 2 for an unknown task', async () => {
    const down = await runScript('run-schedule', ['canary'], 60_000, {
      ...env,
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_REQUEST_TIMEOUT_SECONDS: '2',
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^canary failed: /);
    const unknown = await runScript('run-schedule', ['backup'], 60_000, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage: run-schedule drift\|canary\|housekeeping/);
  });
});

/**
 * scripts/pipeline/wait-revision.ts: the Knative Service states a deploy goes through (shaped as
 * `kubectl get ksvc -o json` prints them), and the wait over a sequence of them.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript, tempDir } from './helpers.ts';
import { rolloutState, waitForRollout, type KnativeService } from '../scripts/pipeline/wait-revision.ts';

const URL = 'http://credit-score-api.credit-score.example.com';
const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason?: string, message?: string) => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});
const ready = [cond('ConfigurationsReady', 'True'), cond('RoutesReady', 'True'), cond('Ready', 'True')];

/** Generation 1 serving revision -00001; then generation 2 was applied. */
const before: KnativeService = {
  metadata: { name: 'credit-score-api', generation: 2 },
  status: {
    observedGeneration: 1,
    latestCreatedRevisionName: 'credit-score-api-00001',
    latestReadyRevisionName: 'credit-score-api-00001',
    url: URL,
    conditions: ready,
    traffic: [{ revisionName: 'credit-score-api-00001', percent: 100 }],
  },
};
const with_ = (status: Partial<NonNullable<KnativeService['status']>>): KnativeService => ({
  ...before,
  status: { ...before.status, ...status },
});
// Generation observed, but the Configuration has not reconciled it yet (service.go: MarkConfigurationNotReconciled).
const outOfDate = with_({
  observedGeneration: 2,
  conditions: [
    cond('ConfigurationsReady', 'Unknown', 'OutOfDate'),
    cond('RoutesReady', 'True'),
    cond('Ready', 'Unknown', 'OutOfDate'),
  ],
});
const created = with_({
  observedGeneration: 2,
  latestCreatedRevisionName: 'credit-score-api-00002',
  conditions: [
    cond('ConfigurationsReady', 'Unknown', 'RevisionMissing'),
    cond('RoutesReady', 'True'),
    cond('Ready', 'Unknown', 'RevisionMissing'),
  ],
});
const readyNotRouted = with_({
  observedGeneration: 2,
  latestCreatedRevisionName: 'credit-score-api-00002',
  latestReadyRevisionName: 'credit-score-api-00002',
  conditions: ready,
  traffic: [
    { revisionName: 'credit-score-api-00001', percent: 60 },
    { revisionName: 'credit-score-api-00002', percent: 40 },
  ],
});
const serving = with_({
  observedGeneration: 2,
  latestCreatedRevisionName: 'credit-score-api-00002',
  latestReadyRevisionName: 'credit-score-api-00002',
  conditions: ready,
  traffic: [{ revisionName: 'credit-score-api-00002', percent: 100 }],
});
const failed = with_({
  observedGeneration: 2,
  latestCreatedRevisionName: 'credit-score-api-00002',
  conditions: [
    cond(
      'ConfigurationsReady',
      'False',
      'RevisionFailed',
      'Revision "credit-score-api-00002" failed with message: Back-off pulling image',
    ),
    cond('RoutesReady', 'True'),
    cond('Ready', 'False', 'RevisionFailed'),
  ],
});

describe('the revision a deploy made, serving', () => {
  it('is not the previous revision while the applied generation is unobserved, even though that one is Ready', () => {
    expect(rolloutState(before, 2)).toEqual({ state: 'waiting', reason: 'observed generation 1, applied 2' });
  });

  it('is not the previous revision once the generation is observed but the Configuration is out of date', () => {
    expect(rolloutState(outOfDate, 2).state).toBe('waiting');
  });

  it('waits while the new revision is not ready, and while it has only part of the traffic', () => {
    expect(rolloutState(created, 2)).toEqual({
      state: 'waiting',
      reason: 'revision credit-score-api-00002 not ready yet (latest ready: credit-score-api-00001)',
    });
    expect(rolloutState(readyNotRouted, 2)).toEqual({
      state: 'waiting',
      reason: 'revision credit-score-api-00002 has 40 % of the traffic',
    });
  });

  it('is serving when the new revision is ready and has all the traffic', () => {
    expect(rolloutState(serving, 2)).toEqual({ state: 'serving', revision: 'credit-score-api-00002', url: URL });
  });

  it("fails at once when the new revision fails, naming Knative's reason", () => {
    expect(rolloutState(failed, 2)).toEqual({
      state: 'failed',
      reason: expect.stringMatching(
        /^revision credit-score-api-00002: ConfigurationsReady=False \(RevisionFailed: .*Back-off pulling image\)$/,
      ),
    });
  });

  it('polls through a deploy until the new revision serves, taking the generation from the first read', async () => {
    const reads = [before, outOfDate, created, readyNotRouted, serving];
    const log: string[] = [];
    const result = await waitForRollout(() => reads.shift()!, {
      timeoutMs: 60_000,
      intervalMs: 1,
      log: (line) => log.push(line),
    });
    expect(result).toEqual({ revision: 'credit-score-api-00002', url: URL });
    expect(reads).toEqual([]);
    expect(log).toHaveLength(4);
  });

  it('stops polling with the reason when the revision fails', async () => {
    const reads = [before, created, failed, serving];
    await expect(waitForRollout(() => reads.shift()!, { timeoutMs: 60_000, intervalMs: 1 })).rejects.toThrow(
      /RevisionFailed/,
    );
    expect(reads).toEqual([serving]);
  });
});

describe('npx tsx scripts/pipeline/wait-revision.ts', () => {
  /** A stand-in kubectl on PATH that answers `get ksvc` with the next of `states` (then the last), logging its arguments. */
  function standInKubectl(states: KnativeService[]): { dir: string; log: string } {
    const dir = tempDir('wait-revision');
    states.forEach((state, i) => writeFileSync(join(dir, `state-${i}.json`), JSON.stringify(state)));
    const log = join(dir, 'calls');
    writeFileSync(
      join(dir, 'kubectl'),
      // Shell builtins only: a PATH with nothing but node, npm, git and sh has no `cat`.
      `#!/bin/sh\necho "$*" >> ${log}\nn=0\n[ -e ${dir}/n ] && read -r n < ${dir}/n\n[ -e ${dir}/state-$n.json ] || n=${states.length - 1}\nIFS= read -r state < ${dir}/state-$n.json\nprintf '%s\\n' "$state"\necho $((n + 1)) > ${dir}/n\n`,
    );
    chmodSync(join(dir, 'kubectl'), 0o755);
    return { dir, log };
  }

  it('prints the URL once the new revision serves, reading the Service through kubectl', async () => {
    const kubectl = standInKubectl([before, outOfDate, created, serving]);
    const run = await runScript(
      'pipeline/wait-revision',
      ['--namespace', 'credit-score', '--service', 'credit-score-api', '--interval', '0.05'],
      60_000,
      { PATH: `${kubectl.dir}:${process.env.PATH}` },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${URL}\n`);
    expect(run.stderr).toContain('serving revision credit-score-api-00002');
    expect(readFileSync(kubectl.log, 'utf8').trim().split('\n')).toEqual(
      Array(4).fill('-n credit-score get ksvc credit-score-api -o json'),
    );
  });

  it("exits 1 with Knative's reason when the revision fails", async () => {
    const kubectl = standInKubectl([before, created, failed]);
    const run = await runScript('pipeline/wait-revision', ['--interval', '0.05'], 60_000, {
      PATH: `${kubectl.dir}:${process.env.PATH}`,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /wait-revision: revision credit-score-api-00002: ConfigurationsReady=False \(RevisionFailed/,
    );
  });
});

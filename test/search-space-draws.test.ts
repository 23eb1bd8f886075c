/**
 * Tuning's draws are pinned: the configurations drawn for a seed before the parameters were
 * declared once per estimator (issue 28) are recorded in test/fixtures/tuning/draws-before-issue-28.json
 * (8 draws after the defaults, seeds 1..3, each classifier with samplers none, ros and smote), and
 * the search space drawn from the declarations must give the same values, so tuned results and
 * the tests that read them do not move.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SamplerName } from '../lib/sampling/sampler-names.ts';
import type { ClassifierName } from '../lib/training/classifier-names.ts';
import { drawConfigs } from '../lib/tuning/search-space.ts';

const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/tuning/draws-before-issue-28.json', import.meta.url), 'utf8'),
) as Record<string, unknown[]>;

describe("tuning's seeded draws", () => {
  const cases = Object.keys(recorded);

  it('cover every classifier over three seeds', () => {
    expect(cases.length).toBe(21);
  });

  it.each(cases)('%s draws the recorded configurations', (key) => {
    const [, classifier, sampler, seed] = /^(\w+)\+(\w+)@(\d+)$/.exec(key)!;
    const expected = recorded[key]!;
    expect(
      drawConfigs(classifier as ClassifierName, sampler as SamplerName, expected.length, Number(seed)),
    ).toStrictEqual(expected);
  });
});

/** test/tiers.ts: every test file is in exactly one tier, so none falls out of `npm test`. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TIER_NAMES, TIERS, testFilesUnder, tierProblems } from './tiers.ts';

describe('test tiers', () => {
  it('puts every test file under test/ in exactly one tier, and lists no missing file', () => {
    const files = testFilesUnder('test');
    expect(files).toContain('tiers.test.ts');
    expect(tierProblems(files)).toEqual([]);
    expect(TIER_NAMES.reduce((n, tier) => n + TIERS[tier].length, 0)).toBe(files.length);
  });

  it('names a file in no tier, a file in two, and a listed file that does not exist', () => {
    const tiers = { unit: ['a.test.ts', 'b.test.ts'], integration: ['b.test.ts', 'gone.test.ts'], e2e: [] };
    expect(tierProblems(['a.test.ts', 'b.test.ts', 'new.test.ts'], tiers)).toEqual([
      'test/b.test.ts is in 2 tiers (unit, integration): keep it in one',
      'test/new.test.ts is in no tier: add it to one list in test/tiers.ts',
      'test/tiers.ts lists test/gone.test.ts, which does not exist',
    ]);
  });

  it('finds test files in subfolders, as forward-slash paths, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiers-'));
    mkdirSync(join(dir, 'readme'));
    for (const file of ['a.test.ts', 'helpers.ts', 'readme/b.test.ts', 'readme/shape.ts'])
      writeFileSync(join(dir, file), '');
    expect(testFilesUnder(dir)).toEqual(['a.test.ts', 'readme/b.test.ts']);
  });
});

/// <reference lib="dom" />
/**
 * The console's model card page in a real headless Chromium (Debian's) against the node:http
 * server over the embedded S3 server: a version trained with two sensitive columns shows its
 * metrics with their fold spread, a fairness table per column with the four-fifths verdict, its
 * limitations and its promotion; printed, the console's header and buttons are left out. The
 * screenshot lands in test-artifacts/console/model-card.png (docs/console-model-card.png was
 * taken from it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSpec, parseSpec } from '../lib/data/spec.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainModel, type TrainingResult } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { openConsoleBrowser } from './console-browser.ts';
import { subsetCsv, tempDir } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { CHROMIUM, describeWithPrograms } from './programs.ts';
import { startServingS3 } from './s3.ts';

const ADMIN_KEY = 'console-card-key-0123456789abcdef';
const SHOTS = 'test-artifacts/console';

describeWithPrograms([CHROMIUM], 'the model card page', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let api: InProcessApi;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let trained: TrainingResult;
  let version: string;

  beforeAll(async () => {
    const serving = await startServingS3();
    ({ s3, registry } = serving);
    const base = loadSpec('data/specs/taiwan-credit-default.json');
    const spec = parseSpec({ ...base, name: 'credit-score', sensitive: ['SEX', { column: 'AGE', edges: [30, 45] }] });
    const csv = subsetCsv('data/taiwan_credit_default.csv', 1200, join(tempDir('console-card'), 'taiwan-1200.csv'));
    trained = await trainModel({
      dataFile: csv,
      spec,
      folds: 3,
      seed: 3,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
      jobs: 1,
    });
    ({ version } = await registry.publish('credit-score', trained.files, {
      createdBy: 'carol (data science)',
      source: 'taiwan-1200.csv',
    }));
    await registry.moveAlias('credit-score', 'challenger', version, { reason: 'for review', actor: 'dave (risk)' });
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: ADMIN_KEY });
    ({ browser, page, problems } = await openConsoleBrowser());
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await s3?.close();
  });

  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));

  it('asks for the admin key, then shows metrics with their spread, fairness per sensitive column, limitations and the promotion, and no scorecard section', async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}/card`, { waitUntil: 'networkidle0' });
    expect((await texts('main .hint')).join(' ')).toMatch(/Enter the admin key above to see the model card/);
    await page.type('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.key button[type="submit"]');
    await page.waitForSelector('article.card');

    const best = trained.report.best;
    const rows = Object.fromEntries(
      (await page.$$eval('.card-metrics tr', (trs) =>
        trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]),
      )) as [string, string][],
    );
    expect(rows['macro F1']).toBe(`${best.cv.f1_macro.toFixed(4)} ± ${best.cv.f1_macro_std.toFixed(4)}`);
    expect(rows['ROC AUC']).toBe(`${best.ranking.roc_auc!.toFixed(4)} ± ${best.ranking.roc_auc_std!.toFixed(4)}`);
    expect(rows.Gini).toBe(best.ranking.gini!.toFixed(4));

    const fairness = trained.report.fairness!;
    expect(await page.$$eval('.fairness', (els) => els.map((e) => (e as HTMLElement).dataset.column))).toEqual([
      'SEX',
      'AGE',
    ]);
    const [sexLine] = await texts('.fairness[data-column="SEX"] p');
    const sex = fairness[0].summary;
    expect(sexLine).toContain(
      `demographic parity ratio ${sex.demographicParityRatio!.toFixed(3)} (${sex.fourFifthsRule === 'passes' ? 'passes the four-fifths rule' : 'fails the four-fifths rule: below 0.8'})`,
    );
    expect(await texts('.fairness[data-column="AGE"] tbody td:first-child')).toEqual(
      fairness[1].groups.map((g) => g.group),
    );

    const limitations = await texts('article.card ul li');
    expect(limitations.some((l) => l.startsWith('Learned from 1,200 rows of'))).toBe(true);
    expect(limitations.some((l) => l.includes('No sensitive column'))).toBe(false);
    expect(limitations.some((l) => /to this version by dave \(risk\): for review$/.test(l))).toBe(true);
    // A tree model's card has no scorecard section, not even an empty one.
    expect(
      await page.$$eval(
        'article.card .scorecard, article.card h3',
        (els) => els.filter((e) => e.matches('.scorecard') || e.textContent === 'Scorecard').length,
      ),
    ).toBe(0);
    await page.screenshot({ path: `${SHOTS}/model-card.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it("shows the version's AUC, Gini and KS beside its macro F1, and each candidate's AUC and KS", async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('dl.facts');
    const { ranking } = trained.report.best;
    const facts = (await texts('dl.facts dd')).join(' | ');
    expect(facts).toContain(
      `${ranking.roc_auc!.toFixed(4)} ± ${ranking.roc_auc_std!.toFixed(4)}, Gini ${ranking.gini!.toFixed(4)}, KS ${ranking.ks!.toFixed(4)}`,
    );
    expect(await page.$$eval('section h3', (hs) => hs.map((h) => h.textContent))).not.toContain('Scorecard');
    const candidates = await page.$$eval('section table:last-of-type tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
    );
    expect(candidates).toContainEqual([
      'xgb',
      'none',
      trained.report.candidates[0].cv.f1_macro.toFixed(4),
      trained.report.candidates[0].ranking.roc_auc!.toFixed(4),
      trained.report.candidates[0].ranking.ks!.toFixed(4),
    ]);
  });

  it('compares the version with the champion: metrics with their spread, the contract differences, fairness, parameters', async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}`, { waitUntil: 'networkidle0' });
    await page.click('a[href*="#/compare/champion/"]');
    await page.waitForSelector('.compare-metrics');
    const row = async (metric: string): Promise<string[]> =>
      page.$$eval(`.compare-metrics tr[data-metric="${metric}"] td`, (tds) => tds.map((td) => td.textContent!.trim()));
    const { ranking } = trained.report.best;
    const [, taiwanAuc, difference] = await row('ROC AUC');
    expect(taiwanAuc).toBe(`${ranking.roc_auc!.toFixed(4)} ± ${ranking.roc_auc_std!.toFixed(4)}`);
    expect(difference).toMatch(/^[+-]\d\.\d{4}$/);
    // The champion is the three-class credit model: the registry's own comparison names the classes and columns that differ.
    const differences = await texts('.contract-differences li');
    expect(differences[0]).toMatch(new RegExp(`^champion \\(\\S+\\) has Credit_Score, ${version} has defaulted$`));
    expect(differences.some((d) => d.includes('has [Good, Standard, Poor]') && d.endsWith('has [0, 1]'))).toBe(true);
    expect(differences.some((d) => d.includes('takes SEX (categorical)'))).toBe(true);
    expect(await texts('.compare table:not(.compare-metrics):not(.compare-params) tbody td')).toEqual(
      expect.arrayContaining(['SEX', 'not measured']),
    );
    expect((await texts('.compare-params tbody td:first-child')).length).toBeGreaterThan(0);
    expect(await page.$$eval('.gains polyline', (ls) => ls.length)).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: `${SHOTS}/compare.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('prints the card alone: no console header, no buttons', async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}/card`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('article.card');
    await page.emulateMediaType('print');
    try {
      expect(await page.$eval('header', (h) => getComputedStyle(h).display)).toBe('none');
      expect(await page.$$eval('main button', (bs) => bs.map((b) => getComputedStyle(b).display))).toEqual(
        expect.arrayContaining(['none']),
      );
      expect(await page.$$eval('main button', (bs) => bs.every((b) => getComputedStyle(b).display === 'none'))).toBe(
        true,
      );
      expect(await page.$eval('article.card', (a) => getComputedStyle(a).display)).not.toBe('none');
    } finally {
      await page.emulateMediaType('screen');
    }
  });
});

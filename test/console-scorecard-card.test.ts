/// <reference lib="dom" />
/**
 * A scorecard version's points table in the console, in a real headless Chromium (Debian's)
 * against the node:http server over the embedded S3 server: the model card page shows one block
 * per characteristic whose rows are the JSON card's (GET /model/versions/{v}/card over HTTP),
 * points right-aligned, the best bin marked; the dropped characteristics with their reason; the
 * version page shows the same table. The screenshot lands in
 * test-artifacts/console/scorecard-card.png (docs/console-scorecard-card.png was taken from it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSpec } from '../lib/data/spec.ts';
import type { ScorecardReport } from '../lib/scorecard/scorecard-report.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { openConsoleBrowser } from './console-browser.ts';
import { subsetCsv, tempDir } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { CHROMIUM, describeWithPrograms } from './programs.ts';
import { startServingS3 } from './s3.ts';

const ADMIN_KEY = 'console-scorecard-key-0123456789abcdef';
const SHOTS = 'test-artifacts/console';

/** A bin's row as the page should show it: label (a range's bounds to two decimals; the exact one its title), rows, event rate, WoE, points, the mark. */
const expectedRow = (b: ScorecardReport['characteristics'][number]['bins'][number]): string[] => [
  b.holds.kind === 'range'
    ? `(${b.holds.lower === null ? '-inf' : String(Math.round(b.holds.lower * 100) / 100)}, ${b.holds.upper === null ? '+inf)' : `${Math.round(b.holds.upper * 100) / 100}]`}`
    : b.bin,
  b.bin,
  b.count.toLocaleString('en-US'),
  b.eventRate === null ? '-' : `${(b.eventRate * 100).toFixed(1)}%`,
  b.woe.toFixed(4),
  b.points.toFixed(2),
  b.best ? '★ best' : '',
];

describeWithPrograms([CHROMIUM], "a scorecard version's points table in the console", () => {
  let s3: EmbeddedS3;
  let api: InProcessApi;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let version: string;
  let report: ScorecardReport;

  beforeAll(async () => {
    const serving = await startServingS3();
    s3 = serving.s3;
    const csv = subsetCsv(
      'data/credit_score_customers_raw.csv',
      1500,
      join(tempDir('console-scorecard'), 'credit-1500.csv'),
    );
    const trained = await trainModel({
      dataFile: csv,
      spec: loadSpec('data/specs/credit-score.json'),
      folds: 2,
      seed: 3,
      classifiers: ['scorecard'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
      jobs: 1,
    });
    ({ version } = await serving.registry.publish('credit-score', trained.files, {
      createdBy: 'carol (data science)',
      source: 'credit-1500.csv',
    }));
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: ADMIN_KEY });
    const card = await fetch(`${api.url}/model/versions/${encodeURIComponent(version)}/card`, {
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(card.status).toBe(200);
    report = ((await card.json()) as { scorecard: ScorecardReport }).scorecard;
    ({ browser, page, problems } = await openConsoleBrowser());
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await s3?.close();
  });

  /** Per table of `selector`, its feature and its body rows' cells (a bin cell's own text without its note, then its title). */
  const tables = (selector: string): Promise<{ feature: string; rows: string[][] }[]> =>
    page.$$eval(selector, (els) =>
      els.map((t) => ({
        feature: (t as HTMLElement).dataset.feature ?? '',
        rows: [...t.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].flatMap((td) =>
            td.classList.contains('bin')
              ? [td.firstChild?.textContent ?? '', td.title]
              : [(td.textContent ?? '').trim()],
          ),
        ),
      })),
    );

  it("shows on the model card one block per characteristic with the JSON card's rows, the best bin marked, points right-aligned", async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}/card`, { waitUntil: 'networkidle0' });
    await page.type('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.key button[type="submit"]');
    await page.waitForSelector('article.card .scorecard-table');

    expect(report.characteristics.length).toBeGreaterThan(1);
    expect(await tables('article.card .scorecard-table')).toEqual(
      report.characteristics.map((c) => ({ feature: c.feature, rows: c.bins.map(expectedRow) })),
    );
    const captions = await page.$$eval('.scorecard-table caption', (cs) =>
      cs.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
    );
    expect(captions).toEqual(report.characteristics.map((c) => `${c.feature} (${c.kind}) IV ${c.iv.toFixed(4)}`));
    expect(await page.$$eval('.scorecard-table tr.best', (trs) => trs.length)).toBe(report.characteristics.length);
    const aligned = await page.$$eval(
      '.scorecard-table tbody td:nth-child(5), .scorecard-table thead th:nth-child(5)',
      (cells) => cells.map((c) => getComputedStyle(c).textAlign),
    );
    expect(new Set(aligned)).toEqual(new Set(['right']));
    const scaling = await page.$eval('.scorecard .scaling', (p) => (p.textContent ?? '').replace(/\s+/g, ' ').trim());
    expect(scaling).toContain(
      `${report.scaling.baseScore} points at ${report.scaling.baseOdds}:1, ${report.scaling.pdo} more points double the odds`,
    );
    expect(scaling).toContain(`from ${report.scoreRange.min.toFixed(2)} to ${report.scoreRange.max.toFixed(2)}`);
    const dropped = await page.$$eval('table.scorecard-dropped tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    );
    expect(dropped).toEqual(report.dropped.map((d) => [d.feature, d.iv.toFixed(4), d.reason]));

    await page.screenshot({ path: `${SHOTS}/scorecard-card.png`, fullPage: true });
    // The first blocks alone, readable at the docs' width.
    const top = await page.$eval('article.card .scorecard', (e) => e.getBoundingClientRect().top + window.scrollY);
    await page.screenshot({
      path: `${SHOTS}/scorecard-card-top.png`,
      clip: { x: 0, y: Math.max(0, top - 40), width: 1280, height: 900 },
      captureBeyondViewport: true,
    });
    expect(problems).toEqual([]);
  });

  it('prints each characteristic block whole, the console header left out', async () => {
    await page.emulateMediaType('print');
    try {
      expect(await page.$eval('header', (h) => getComputedStyle(h).display)).toBe('none');
      expect(
        new Set(await page.$$eval('.scorecard-table', (ts) => ts.map((t) => getComputedStyle(t).breakInside))),
      ).toEqual(new Set(['avoid']));
      expect(
        await page.$$eval('.scorecard-table tr.best td.mark', (tds) =>
          tds.every((td) => getComputedStyle(td).display !== 'none' && td.textContent === '★ best'),
        ),
      ).toBe(true);
    } finally {
      await page.emulateMediaType('screen');
    }
  });

  it('shows the same table on the version page', async () => {
    await page.goto(`${api.url}/console#/models/${encodeURIComponent(version)}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('section .scorecard-table');
    expect(await tables('section .scorecard-table')).toEqual(
      report.characteristics.map((c) => ({ feature: c.feature, rows: c.bins.map(expectedRow) })),
    );
    expect(problems).toEqual([]);
  });
});

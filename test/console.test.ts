/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The operator console in a real headless Chromium (Debian's, driven by puppeteer-core) against
 * the node:http server with a real model in the embedded S3 server: each view, the actions
 * through the page, text-only rendering of stored strings, no console errors. Screenshots of
 * each view land in test-artifacts/console/ (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { parseCsv } from '../lib/data/dataset.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { subsetCsv, tempDir, trainSmallModel, until } from './helpers.ts';
import { CHROMIUM, describeWithPrograms, pathOf } from './programs.ts';
import { startServingS3 } from './s3.ts';

const ADMIN_KEY = 'console-test-key-0123456789abcdef';
const SHOTS = 'test-artifacts/console';
const XSS = '<img src=x onerror="window.__xss=1">';

describeWithPrograms([CHROMIUM], 'the operator console in Chromium', () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let registry: ModelRegistry;
  let first: string;
  let second: string;
  let url: string;
  let closeServer: () => Promise<void>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const serving = await startServingS3();
    ({ s3, store, registry, version: first } = serving);
    await registry.moveAlias('credit-score', 'challenger', first, { reason: 'for the A/B test', actor: 'test' });
    Object.assign(process.env, serving.env, {
      ADMIN_API_KEYS: ADMIN_KEY,
      ALIAS_REFRESH_SECONDS: '0.2',
      CAPTURE_FLUSH_SECONDS: '0.2',
    });
    resetService();
    const server = createAdapter();
    url = await listen(server, { port: 0 });
    closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
    browser = await puppeteer.launch({
      executablePath: pathOf('chromium')!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      timeout: 30_000,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
    page.on('dialog', (d) => void d.accept());
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    resetService();
    await closeServer?.();
    await s3?.close();
  });

  const api = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`) as `${string}.png`, fullPage: true });
  const go = async (hash: string): Promise<void> => {
    await page.goto(`${url}/console${hash}`, { waitUntil: 'networkidle0' });
  };
  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));

  it('is served with a strict CSP, from / too, and lists the serving version without a key', async () => {
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    const response = await page.goto(`${url}/`, { waitUntil: 'networkidle0' });
    expect(page.url()).toBe(`${url}/console`);
    expect(response!.headers()['content-security-policy']).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
    await page.waitForSelector(`tr[data-version="${first}"]`);
    expect(await texts(`tr[data-version="${first}"] .badge`)).toEqual(['challenger', 'champion']);
    expect(await texts('.hint')).toContain('read-only without it');
    await shot('models');
  });

  it('says in words that no traffic policy was set yet, where it wrote "revision ."', async () => {
    await go('#/traffic');
    await page.waitForSelector('.split');
    const mode = await page.$eval('main section', (s) => s.textContent ?? '');
    expect(mode).not.toMatch(/revision\s*\./);
    expect(await texts('p.mode')).toEqual([
      `Mode single (the default: no traffic policy has been set yet): all to champion (${first}).`,
    ]);
  });

  it('promotes a version through the page, and the move shows in the history', async () => {
    ({ version: second } = await registry.publish('credit-score', (await trainSmallModel()).files, {
      createdBy: 'test',
    }));
    await go('#/models');
    await page.type('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.key button[type="submit"]');
    await page.waitForSelector('.key button');
    await go(`#/models/${encodeURIComponent(second)}`);
    await page.waitForSelector('table.heatmap');
    await shot('version');
    const [button] = await page.$$('xpath/.//button[contains(., "Promote to champion")]');
    await button.click();
    await page.waitForSelector('.action .ok');
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(second);
    // The page shows the move at once, without a reload: the aliases of the version it is on.
    const aliases = 'xpath/.//dl[contains(@class, "facts")]/dt[.="aliases"]/following-sibling::dd[1]';
    await page.waitForFunction(
      () =>
        document.evaluate(
          '//dl[contains(@class, "facts")]/dt[.="aliases"]/following-sibling::dd[1]',
          document,
          null,
          XPathResult.STRING_TYPE,
        ).stringValue === 'champion',
    );
    expect(await (await page.$(aliases))!.evaluate((dd) => dd.textContent)).toBe('champion');
    await go('#/traffic');
    const move = `alias champion: ${first} -> ${second}`;
    await page.waitForFunction(
      (text) => [...document.querySelectorAll('.timeline .what')].some((e) => e.textContent === text),
      {},
      move,
    );
    expect((await texts('.timeline li'))[0]).toMatch(/promoted from the console/);
    // Who moved it: the key's principal (a plain key is the legacy principal admin-key-1: docs/identities.md), not the request's id.
    expect((await texts('.timeline li .who'))[0]).toBe('admin-key-1');
    for (const who of await texts('.timeline .who')) expect(who).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("plots a version's reliability: the model's own, and beside it the calibrated probabilities it serves", async () => {
    const dir = tempDir('console-calibrated');
    const calibrated = await trainModel({
      dataFile: subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'credit-900.csv')),
      spec: loadSpec('data/specs/credit-score.json'),
      folds: 2,
      seed: 7,
      classifiers: ['rf'],
      samplers: ['none'],
      calibration: 'sigmoid',
      progress: createProgressReporter(process.stderr, true),
    });
    const { version } = await registry.publish('credit-score', calibrated.files, { createdBy: 'test' });
    const metrics = calibrated.bundle.metrics as unknown as {
      reliability: unknown[];
      calibrated: { reliability: { uncalibrated: unknown[]; calibrated: unknown[] } };
    };
    await go(`#/models/${encodeURIComponent(version)}`);
    await page.waitForSelector('svg.reliability polyline[data-series="calibrated"]');
    expect(await page.$$eval('svg.reliability g.uncalibrated circle', (c) => c.length)).toBe(
      metrics.calibrated.reliability.uncalibrated.length,
    );
    expect(await page.$$eval('svg.reliability g.calibrated circle', (c) => c.length)).toBe(
      metrics.calibrated.reliability.calibrated.length,
    );
    expect(await texts('figure.reliability .legend')).toEqual([
      "● model's own (out of fold)",
      '● sigmoid calibrated (nested), as served',
    ]);
    await shot('reliability');
    // An uncalibrated version plots its own probabilities only.
    await go(`#/models/${encodeURIComponent(first)}`);
    await page.waitForFunction(
      (v) =>
        [...document.querySelectorAll('h2')].some((h) => h.textContent === `Version ${v}`) &&
        document.querySelector('svg.reliability polyline[data-series="uncalibrated"]') !== null,
      {},
      first,
    );
    expect(await page.$$('svg.reliability polyline[data-series="calibrated"]')).toHaveLength(0);
  }, 120_000);

  it('sets an A/B policy with the form and draws the split; shows field errors from the API', async () => {
    await go('#/traffic');
    await page.waitForSelector('form.policy');
    await page.select('select[name="mode"]', 'ab');
    const weight = await page.$('input[name="weightA"]');
    await weight!.click({ count: 3 });
    await weight!.type('70');
    await page.click('form.policy button[type="submit"]');
    await page.waitForSelector('.split [data-variant="b"]');
    expect(await texts('.split .part')).toEqual(['a 70%', 'b 30%']);
    await shot('traffic-ab');
    // The README's picture: the first screenful only.
    await page.screenshot({ path: `${SHOTS}/readme-traffic.png`, clip: { x: 0, y: 0, width: 1280, height: 640 } });
    // An alias that does not exist: the API's 422 named field by field.
    const b = await page.$('input[name="b"]');
    await b!.click({ count: 3 });
    await b!.type('nobody');
    await page.click('form.policy button[type="submit"]');
    await page.waitForSelector('form.policy .problems li');
    expect((await texts('form.policy .problems li')).join(' ')).toMatch(/nobody/);
    // Chromium logs the refused request itself; that one was asked for.
    const provoked = problems.findIndex((p) => p.includes('status of 422'));
    expect(provoked).toBeGreaterThanOrEqual(0);
    problems.splice(provoked, 1);
  });

  /** `count` predictions (routed by the keys `{key}-{i}`), each labelled when `label` says which class. */
  const predictions = async (
    count: number,
    key: string,
    label?: (answer: { prediction: string; variant: string }, nth: number) => string,
  ): Promise<void> => {
    const sample = (
      (await (await fetch(`${url}/model/info`)).json()) as {
        sampleRequest: Record<string, unknown>;
        classes?: string[];
      }
    ).sampleRequest;
    const perVariant = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-key': `${key}-${i}` },
        body: JSON.stringify({ ...sample, Customer_ID: `CUS_${key}_${i}` }),
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { prediction: string; requestId: string; model: { variant: string } };
      if (!label) continue;
      const nth = perVariant.get(answer.model.variant) ?? 0;
      perVariant.set(answer.model.variant, nth + 1);
      expect(
        (
          await api('POST', '/feedback', {
            requestId: answer.requestId,
            actual: label({ prediction: answer.prediction, variant: answer.model.variant }, nth),
          })
        ).status,
      ).toBe(202);
    }
  };
  // Another class than the one answered: a label that makes the answer wrong.
  const other = (prediction: string): string => ['Good', 'Standard', 'Poor'].find((c) => c !== prediction)!;

  it("shows each variant's numbers and their latency over time, and compares the labelled pair", async () => {
    // Every other answer of each variant labelled right: enough right and wrong per side for the test's p-value.
    await predictions(60, 'ab', (answer, nth) => (nth % 2 === 0 ? answer.prediction : other(answer.prediction)));
    // Captures reach storage on the next flush (every 0.2 s here).
    await until(
      'the captures to be written',
      async () => {
        const report = (await (await api('GET', '/model/report')).json()) as { variants: { requests: number }[] };
        return report.variants.reduce((n, v) => n + v.requests, 0) >= 60 ? true : undefined;
      },
      10_000,
    );
    await go('#/variants');
    await page.waitForFunction(() => document.querySelectorAll('table.variants tr[data-variant]').length === 2, {
      timeout: 20_000,
    });
    const requests = await page.$$eval('table.variants tr[data-variant]', (rows) =>
      rows.map((r) => Number(r.children[2].textContent)),
    );
    expect(requests.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60);
    await page.waitForSelector('.chart canvas');
    const [line] = await texts('.comparisons li[data-pair="a/b"].labelled');
    expect(line).toMatch(
      /^A\/B b against a \(policy in force\), \d+ and \d+ labelled answers: accuracy \d+\.\d% against \d+\.\d%, [+-]\d+\.\d points \(p = [\d.e-]+, (not )?significant at 5%\); macro F1 [+-]\d\.\d{3}\.$/,
    );
    await shot('variants');
  });

  it('lists the variants of the policy in force, past ones behind a toggle, and compares the labelled pair rather than the unlabelled one', async () => {
    const canary = { mode: 'canary', champion: 'champion', challenger: 'challenger', steps: [5, 25, 50, 100] };
    expect((await api('PUT', '/model/traffic', { ...canary, step: 0 })).status).toBe(200);
    expect((await api('PUT', '/model/traffic', { ...canary, step: 1 })).status).toBe(200);
    await predictions(40, 'canary');
    await until(
      'the canary answers to be written',
      async () => {
        const report = (await (await api('GET', '/model/report')).json()) as {
          variants: { variant: string; requests: number }[];
        };
        return report.variants
          .filter((v) => v.variant === 'champion' || v.variant === 'challenger')
          .reduce((n, v) => n + v.requests, 0) >= 40
          ? true
          : undefined;
      },
      10_000,
    );
    await go('#/variants');
    await page.waitForSelector('table.variants tr[data-variant="challenger"]');
    expect(
      (
        await page.$$eval('table.variants tr[data-variant]', (rows) => rows.map((r) => r.getAttribute('data-variant')))
      ).sort(),
    ).toEqual(['challenger', 'champion']);
    // The a/b pair is not in force but had labels: it is the one compared; the canary pair says it has none.
    expect(await texts('.comparisons li[data-pair="a/b"].labelled')).toHaveLength(1);
    expect(await texts('.comparisons li[data-pair="a/b"]')).toEqual([
      expect.stringMatching(/^A\/B b against a \(an earlier policy\), \d+ and \d+ labelled answers: accuracy/),
    ]);
    expect(await texts('.comparisons li[data-pair="champion/challenger"]')).toEqual([
      expect.stringMatching(
        /^A\/B challenger against champion \(policy in force\): not compared, champion and challenger have no labels in this window \(0 and 0 labelled answers\)/,
      ),
    ]);
    await shot('variants-present');
    await page.click('input[name="show-past"]');
    await page.waitForSelector('table.variants tr[data-variant="a"].past');
    expect(
      (await page.$$eval('table.variants tr.past', (rows) => rows.map((r) => r.getAttribute('data-variant')))).sort(),
    ).toEqual(['a', 'b']);
    await shot('variants-past');
  });

  it("draws a canary's progress and its evaluation in words and units, refreshed by the check button; names the controller as the one who advanced it", async () => {
    await go('#/traffic');
    await page.waitForSelector('.canary .steps li.current');
    expect(await texts('.canary .steps li.current')).toEqual(['25%']);
    expect(await texts('.canary .steps li.done')).toEqual(['5%']);
    await page.waitForSelector('.canary-numbers table.numbers');
    // The controller's evaluation of this step, asked for through the page and shown without a reload.
    const [check] = await page.$$('xpath/.//button[contains(., "Run the canary check")]');
    await check.click();
    await page.waitForSelector('.canary-numbers .decision strong');
    expect(await texts('.canary-numbers .decision strong')).toEqual(['hold: stay on this step']);
    expect((await texts('.canary-numbers .decision'))[0]).toMatch(/because \d+ of 100 requests needed on this step\.$/);
    const row = (measure: string): Promise<string[]> =>
      page.$$eval(
        '.canary-numbers table.numbers tbody tr',
        (rows, m) =>
          [...(rows.find((r) => r.children[0].textContent === m)?.children ?? [])].map((c) => c.textContent ?? ''),
        measure,
      );
    expect(await row('Requests on this step')).toEqual([
      'Requests on this step',
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+$/),
      'judged once the challenger has served 100',
    ]);
    expect(await row('Error rate')).toEqual(['Error rate', '0.0%', '0.0%', 'challenger at most 1.0%']);
    expect((await row('p99 latency'))[2]).toMatch(/^\d+\.\d ms \(\d+ samples\)$/);
    // Words, not the stored camelCase names.
    expect(await page.$eval('.canary-numbers', (e) => (e as HTMLElement).innerText)).not.toMatch(/\b[a-z]+[A-Z]\w*/);
    // What changed, in the history: the step's share and the version the challenger pointed at.
    await page.waitForFunction(
      (text) => [...document.querySelectorAll('.timeline .what')].some((e) => e.textContent === text),
      {},
      `traffic: canary 5% -> 25% to challenger (${first})`,
    );
    await shot('traffic-canary');
    // The controller's own change is its name in the history: a step it may leave at once, after one request.
    const quick = {
      mode: 'canary',
      champion: 'champion',
      challenger: 'challenger',
      steps: [5, 25, 50, 100],
      step: 1,
      stepMinutes: 0.001,
      bounds: { minRequests: 1 },
    };
    expect((await api('PUT', '/model/traffic', quick)).status).toBe(200);
    await predictions(20, 'advance');
    await until(
      'the controller to advance the step',
      async () =>
        ((await (await api('POST', '/model/canary/check')).json()) as { applied: boolean }).applied || undefined,
      10_000,
    );
    await go('#/traffic');
    const advanced = `traffic: canary 25% -> 50% to challenger (${first})`;
    await page.waitForFunction(
      (text) => [...document.querySelectorAll('.timeline .what')].some((e) => e.textContent === text),
      {},
      advanced,
    );
    const line = await page.$$eval(
      '.timeline li',
      (lis, text) =>
        lis.find((li) => li.querySelector('.what')!.textContent === text)!.querySelector('.who')!.textContent,
      advanced,
    );
    expect(line).toBe('canary controller');
    expect((await api('PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
  });

  it('lists a drifted column first after a drift check', async () => {
    // Every 20th row of the shipped data with Annual_Income times 4 (still in the spec's range): that column drifts.
    const csv = parseCsv(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), 'shipped');
    const column = csv.header.indexOf('Annual_Income');
    const rows = csv.records
      .filter((_, i) => i % 20 === 0)
      .map((r) =>
        r.map((cell, i) => (i === column && Number.isFinite(parseFloat(cell)) ? String(parseFloat(cell) * 4) : cell)),
      );
    const quote = (cell: string): string => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    await store.put(
      'data/drifted.csv',
      new TextEncoder().encode([csv.header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n'),
    );
    expect((await api('POST', '/drift/check', { dataKey: 'data/drifted.csv' })).status).toBe(200);
    await go('#/drift');
    await page.waitForSelector('table.drift tbody tr');
    const first = await page.$eval('table.drift tbody tr', (tr) => ({
      column: tr.getAttribute('data-column'),
      status: tr.children[1].textContent,
    }));
    expect(first).toEqual({ column: 'Annual_Income', status: 'drift' });
    // Its distribution is drawn: the current values crowd into the top bins.
    await page.waitForSelector('figure.distribution[data-column="Annual_Income"] .bar.current');
    expect((await page.$$('figure.distribution[data-column="Annual_Income"] tr')).length).toBeGreaterThan(3);
    await page.click('table.drift button[aria-label="show the distribution of Age"]');
    await page.waitForSelector('figure.distribution[data-column="Age"]');
    await shot('drift');
  });

  it('shows the jobs view and answers a prediction with its reasons in Try it', async () => {
    await go('#/jobs');
    await page.waitForSelector('section h2');
    await shot('jobs');
    await go('#/try');
    await page.waitForSelector('form.try input[name="Age"]');
    await page.click('form.try button[type="submit"]');
    await page.waitForSelector('.answer .reasons li');
    expect(['Good', 'Standard', 'Poor']).toContain(await page.$eval('.answer .prediction', (e) => e.textContent));
    expect((await texts('.answer .reasons li')).length).toBeGreaterThan(0);
    await shot('try');
  });

  it('renders stored strings as text: a reason holding markup runs nothing', async () => {
    expect((await api('POST', '/model/rollback', { alias: 'champion', reason: XSS })).status).toBe(200);
    await go('#/traffic');
    await page.waitForFunction(
      (x) => [...document.querySelectorAll('.timeline .why')].some((e) => e.textContent!.includes(x)),
      {},
      XSS,
    );
    expect(await page.$$eval('.timeline img', (imgs) => imgs.length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('fits a narrow screen, and logged no console error on the way', async () => {
    await page.setViewport({ width: 390, height: 800 });
    await go('#/models');
    await page.waitForSelector('tr[data-version]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('models-narrow');
    expect(problems).toEqual([]);
  });
});

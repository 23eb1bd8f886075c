/// <reference lib="dom" />
/**
 * The console's model picker (console/src/views/model-picker.ts): which requests name the chosen
 * model (console/src/model-route.ts, derived from MODEL_QUERY_ROUTES) and the hash that keeps it
 * (console/src/hash-route.ts); then, in a real headless Chromium (Debian's, driven by
 * puppeteer-core) against the real handlers over the embedded S3 server with two models
 * registered (the three-class credit-score model, the default, and the binary
 * taiwan-credit-default model with an A/B policy of its own), the picker lists both, the views
 * show the chosen model's versions, aliases, traffic, answers and retrain, the hash carries the model and
 * a reload keeps it. Screenshots land in test-artifacts/console/ (not committed):
 * model-picker.png (the Taiwan model's traffic under the picker) and model-picker-list.png (the
 * header with the picker's two models drawn as a list).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFor, readHash } from '../console/src/hash-route.ts';
import { predictPath, takesModel, withModel } from '../console/src/model-route.ts';
import { MODEL_QUERY_ROUTES } from '../lib/http/model-query-routes.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { openConsoleBrowser } from './console-browser.ts';
import { trainSmallModel } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { CHROMIUM, describeWithPrograms } from './programs.ts';
import { startServingS3 } from './s3.ts';

const TAIWAN = 'taiwan-credit-default';

describe('the requests the console sends about the chosen model', () => {
  it('adds ?model= to every route of MODEL_QUERY_ROUTES, keeping the query it had', () => {
    for (const route of MODEL_QUERY_ROUTES) {
      const [method, path] = route.split(' ');
      const concrete = path.replace('{version}', '20260101T000000000Z-abc').slice(1);
      expect(withModel(method, `${concrete}?limit=5`, TAIWAN)).toBe(`${concrete}?limit=5&model=${TAIWAN}`);
    }
  });

  it('leaves the routes about the whole service alone, and every route without a chosen model', () => {
    expect(withModel('GET', 'models', TAIWAN)).toBe('models');
    // The retrain job list is every model's; starting a retrain is one model's.
    expect(withModel('GET', 'model/retrain?limit=20', TAIWAN)).toBe('model/retrain?limit=20');
    expect(withModel('POST', 'model/retrain', TAIWAN)).toBe(`model/retrain?model=${TAIWAN}`);
    expect(withModel('GET', 'model/retrain/job-1', TAIWAN)).toBe('model/retrain/job-1');
    expect(takesModel('GET', '/model/versions/v1/card/extra')).toBe(false);
    expect(withModel('GET', 'model/traffic', null)).toBe('model/traffic');
  });

  it('scores with the chosen model by its path, with the default model at /predict', () => {
    expect(predictPath(TAIWAN)).toBe(`models/${TAIWAN}/predict`);
    expect(predictPath(null)).toBe('predict');
  });

  it('reads the view and the model from the hash it writes', () => {
    expect(readHash(hashFor('models/v%2F1/card', TAIWAN))).toEqual({ parts: ['models', 'v/1', 'card'], model: TAIWAN });
    expect(readHash('#/traffic')).toEqual({ parts: ['traffic'], model: null });
    expect(readHash('')).toEqual({ parts: ['models'], model: null });
  });
});

describeWithPrograms([CHROMIUM], 'the model picker in Chromium, two models served', () => {
  const ADMIN_KEY = 'console-models-key-0123456789abcdef';
  const SHOTS = 'test-artifacts/console';
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let credit: string;
  const taiwan: string[] = [];
  let api: InProcessApi;
  let url: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const requested: { method: string; url: URL }[] = [];

  beforeAll(async () => {
    const serving = await startServingS3();
    ({ s3, registry, version: credit } = serving);
    const small = await trainSmallModel('taiwan');
    for (let i = 0; i < 2; i++)
      taiwan.push((await registry.publish(TAIWAN, small.files, { createdBy: 'test' })).version);
    await registry.moveAlias(TAIWAN, 'champion', taiwan[0], { reason: 'first', actor: 'test' });
    await registry.moveAlias(TAIWAN, 'challenger', taiwan[1], { reason: 'to test', actor: 'test' });
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: ADMIN_KEY, ALIAS_REFRESH_SECONDS: '0.2' });
    url = api.url;
    // The Taiwan model gets an A/B split; the default model keeps its champion alone.
    const put = await fetch(`${url}/model/traffic?model=${TAIWAN}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'x-api-key': ADMIN_KEY,
        'x-change-reason': 'A/B of the two Taiwan versions',
      },
      body: JSON.stringify({
        mode: 'ab',
        variants: [
          { name: 'a', alias: 'champion', weight: 50 },
          { name: 'b', alias: 'challenger', weight: 50 },
        ],
      }),
    });
    expect(put.status).toBe(200);
    ({ browser, page, problems } = await openConsoleBrowser());
    page.on('request', (r: HTTPRequest) => requested.push({ method: r.method(), url: new URL(r.url()) }));
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await s3?.close();
  });

  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));
  const chosen = (): Promise<string> => page.$eval('select[name="model"]', (s) => (s as HTMLSelectElement).value);
  const hashIs = (hash: string): Promise<unknown> => page.waitForFunction((h) => location.hash === h, {}, hash);
  /** The API requests of the page, by path, since `from` (an index into `requested`). */
  const apiRequests = (from: number) =>
    requested.slice(from).filter((r) => r.url.origin === url && !r.url.pathname.startsWith('/console'));

  it('lists both models in the header, the default marked and chosen, its traffic single', async () => {
    await page.goto(`${url}/console#/traffic`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('select[name="model"]');
    expect(await texts('select[name="model"] option')).toEqual(['credit-score (default)', TAIWAN]);
    expect(await chosen()).toBe('credit-score');
    await page.waitForSelector('.split');
    expect(await texts('p.mode')).toEqual([
      `Mode single (the default: no traffic policy has been set yet): all to champion (${credit}).`,
    ]);
  });

  it("shows the chosen model's traffic, names it in the hash and in every request about a model, and keeps it over a reload", async () => {
    const from = requested.length;
    await page.select('select[name="model"]', TAIWAN);
    await hashIs(`#/traffic?model=${TAIWAN}`);
    await page.waitForSelector('.split [data-variant="a"]');
    const [mode] = await texts('p.mode');
    expect(mode).toMatch(/^Mode ab, revision \d+: /);
    expect(await texts('p.mode')).toHaveLength(1); // the default model's line is gone, not beside it
    expect(await texts('.split .part')).toEqual(['a 50%', 'b 50%']);
    // Each route's serving version: the Taiwan versions (a route not loaded yet says so first).
    await page.waitForFunction(
      (want) =>
        [...document.querySelectorAll('main table tbody td:nth-child(4)')].map((td) => td.textContent).join() === want,
      {},
      taiwan.join(),
    );
    await page.screenshot({ path: join(SHOTS, 'model-picker.png') as `${string}.png` });
    // A closed select shows one name; drawn as a list for a moment, the picker shows both models.
    await page.$eval('select[name="model"]', (s) => ((s as HTMLSelectElement).size = 2));
    await page.screenshot({
      path: join(SHOTS, 'model-picker-list.png') as `${string}.png`,
      clip: { x: 0, y: 0, width: 1280, height: 160 },
    });
    await page.$eval('select[name="model"]', (s) => ((s as HTMLSelectElement).size = 0));
    const traffic = apiRequests(from).filter((r) => r.url.pathname === '/model/traffic');
    expect(traffic.length).toBeGreaterThan(0);
    for (const r of traffic) expect(r.url.searchParams.get('model')).toBe(TAIWAN);

    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForSelector('.split [data-variant="b"]');
    expect(await chosen()).toBe(TAIWAN);
    expect((await texts('p.mode'))[0]).toMatch(/^Mode ab/);
  });

  it("lists the chosen model's versions with its aliases, and its version pages stay on it", async () => {
    const from = requested.length;
    const [models] = await page.$$('xpath/.//nav//a[.="Models"]');
    await models.click();
    await hashIs(`#/models?model=${TAIWAN}`);
    await page.waitForSelector(`tr[data-version="${taiwan[1]}"]`);
    expect(await page.$$eval('tr[data-version]', (rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(
      [...taiwan].reverse(),
    );
    expect(await texts(`tr[data-version="${taiwan[0]}"] .badge`)).toEqual(['champion']);
    expect(await texts(`tr[data-version="${taiwan[1]}"] .badge`)).toEqual(['challenger']);
    await page.click(`tr[data-version="${taiwan[1]}"] a`);
    await hashIs(`#/models/${encodeURIComponent(taiwan[1])}?model=${TAIWAN}`);
    await page.waitForFunction(
      () =>
        document.evaluate(
          '//dl[contains(@class, "facts")]/dt[.="aliases"]/following-sibling::dd[1]',
          document,
          null,
          XPathResult.STRING_TYPE,
        ).stringValue === 'challenger',
    );
    expect(await page.$eval('a[href*="compare/champion"]', (a) => a.getAttribute('href'))).toBe(
      `#/compare/champion/${encodeURIComponent(taiwan[1])}?model=${TAIWAN}`,
    );
    const aboutModels = apiRequests(from).filter((r) => r.url.pathname.startsWith('/model/'));
    expect(aboutModels.map((r) => r.url.pathname)).toEqual(
      expect.arrayContaining(['/model/versions', `/model/versions/${taiwan[1]}`]),
    );
    for (const r of aboutModels) expect(r.url.searchParams.get('model')).toBe(TAIWAN);

    // Another model from a version's page: that model's versions (a version belongs to one model).
    await page.select('select[name="model"]', 'credit-score');
    await hashIs('#/models?model=credit-score');
    await page.waitForSelector(`tr[data-version="${credit}"]`);
    expect(await page.$$eval('tr[data-version]', (rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual([
      credit,
    ]);
  });

  it('scores the form with the chosen model at its own path', async () => {
    const from = requested.length;
    await page.goto(`${url}/console#/try?model=${TAIWAN}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('input[name="LIMIT_BAL"]');
    await page.click('form.try button[type="submit"]');
    await page.waitForSelector('.answer .prediction');
    expect(['0', '1']).toContain((await texts('.answer .prediction'))[0]);
    expect(await texts('.answer th')).toEqual(['0', '1']);
    expect(
      apiRequests(from)
        .filter((r) => r.method === 'POST')
        .map((r) => r.url.pathname),
    ).toEqual([`/models/${TAIWAN}/predict`]);
  });

  it("starts the chosen model's retrain, which asks for training data the default model's would not", async () => {
    await page.goto(`${url}/console#/jobs?model=${TAIWAN}`, { waitUntil: 'networkidle0' });
    await page.type('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.key button[type="submit"]');
    const start = 'xpath/.//button[contains(., "Start a retrain")]';
    await (await page.waitForSelector(start))!.click();
    await page.waitForSelector('.action .error');
    expect(await texts('.action .error')).toEqual([
      `model ${TAIWAN} has no default training data (only credit-score has): name a dataKey, a CSV in the bucket under data/`,
    ]);
    // The key typed in the box goes with the request: a key that is not in the bucket is named so.
    await page.type('input[name="dataKey"]', 'data/no-such-file.csv');
    await (await page.$(start))!.click();
    await page.waitForFunction(
      () => document.querySelector('.action .error')?.textContent === 'the training data is not in the bucket',
    );
    // Nothing went wrong in the page; the browser logs each of the two refused requests (the 422s asked for).
    expect(problems).toEqual([expect.stringContaining('status of 422'), expect.stringContaining('status of 422')]);
  });
});

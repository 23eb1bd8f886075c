/// <reference lib="dom" />
/**
 * The console's Promote with a contract check, in a real headless Chromium (Debian's, driven
 * by puppeteer-core) against the node:http server over the embedded S3 server: promoting the
 * binary model (test/incompatible-model.ts) over the three-class champion shows each contract
 * difference before anything moves, and moves it only forced, with a reason; a version of the
 * same contract that fails the promotion policy shows each failed gate the same way. The screenshot of
 * the differences lands in test-artifacts/console/contract-diff.png (not committed; the one in
 * docs/ was taken from it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { openConsoleBrowser } from './console-browser.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { INCOMPATIBLE_FIELDS, trainIncompatibleModel } from './incompatible-model.ts';
import { CHROMIUM, describeWithPrograms } from './programs.ts';
import { startServingS3 } from './s3.ts';

const ADMIN_KEY = 'console-contract-key-0123456789abcdef';
const SHOTS = 'test-artifacts/console';

describeWithPrograms([CHROMIUM], 'promoting from the console across a contract', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let champion: string;
  let other: string;
  /** A second version of the champion's own model: the same contract. */
  let twin: string;
  let api: InProcessApi;
  let url: string;
  let browser: Browser;
  let page: Page;
  let dialogs: string[];
  let problems: string[];

  beforeAll(async () => {
    const serving = await startServingS3(2);
    ({ s3, registry, version: champion } = serving);
    twin = serving.versions[1];
    other = (await registry.publish('credit-score', (await trainIncompatibleModel()).files, { createdBy: 'test' }))
      .version;
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: ADMIN_KEY, ALIAS_REFRESH_SECONDS: '0.2' });
    url = api.url;
    ({ browser, page, dialogs, problems } = await openConsoleBrowser());
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await s3?.close();
  });

  const texts = (selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));

  it('shows each contract difference before moving, and promotes only forced with a reason, which the history records', async () => {
    await page.goto(`${url}/console#/models`, { waitUntil: 'networkidle0' });
    await page.type('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.key button[type="submit"]');
    await page.waitForSelector('.key button');
    await page.goto(`${url}/console#/models/${encodeURIComponent(other)}`, { waitUntil: 'networkidle0' });
    const button = await page.waitForSelector('xpath/.//button[contains(., "Promote to champion")]');
    await button!.click();
    await page.waitForSelector('.contract-diff li');
    expect(dialogs).toEqual([]); // no plain "are you sure": the differences are the confirmation
    const items = await texts('.contract-diff li');
    expect(items.map((t) => t.split(':')[0])).toEqual(INCOMPATIBLE_FIELDS);
    expect(items[0]).toBe(`classes: champion has [Good, Standard, Poor], ${other} has [good, bad]`);
    expect(await page.$eval('.contract-diff button.danger', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(champion);
    await page.screenshot({ path: join(SHOTS, 'contract-diff.png') as `${string}.png` });

    await page.type('input[name="force-reason"]', 'the binary model replaces the three-class one');
    await page.click('.contract-diff button.danger');
    await page.waitForSelector('.action .ok');
    const event = (await registry.getAlias('credit-score', 'champion'))!.event;
    expect(event).toMatchObject({
      from: champion,
      to: other,
      reason: 'the binary model replaces the three-class one',
      details: { contract: { forced: true } },
    });
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows each failed promotion policy gate before moving a version of the same contract, and promotes it only forced', async () => {
    await registry.moveAlias('credit-score', 'champion', champion, {
      reason: 'back to the three-class model',
      actor: 'test',
      force: true,
    });
    const put = await fetch(`${url}/model/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ minAuc: 0.999, reason: 'a bar the small model does not reach' }),
    });
    expect(put.status).toBe(200);
    await page.goto(`${url}/console#/models/${encodeURIComponent(twin)}`, { waitUntil: 'networkidle0' });
    const button = await page.waitForSelector('xpath/.//button[contains(., "Promote to champion")]');
    await button!.click();
    await page.waitForSelector('.contract-diff .policy-failed li');
    expect(dialogs).toEqual([]);
    // The same contract: no difference is listed, only the gate it fails.
    expect(await texts('.contract-diff li')).toEqual([
      expect.stringMatching(/^minAuc: ROC AUC [0-9.]+ is below the minimum 0\.999$/),
    ]);
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(champion);
    await page.type('input[name="force-reason"]', 'the committee accepts it for a month');
    await page.click('.contract-diff button.danger');
    await page.waitForSelector('.action .ok');
    const event = (await registry.getAlias('credit-score', 'champion'))!.event;
    expect(event).toMatchObject({
      from: champion,
      to: twin,
      reason: 'the committee accepts it for a month',
      details: { policy: { forced: true } },
    });
    expect(problems).toEqual([]);
  }, 60_000);
});

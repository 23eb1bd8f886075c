/// <reference lib="dom" />
/**
 * The console's four-eyes flow in a real headless Chromium (as test/console.test.ts drives it):
 * under `approvals: 2`, Promote says the move was requested and waits, and another principal's
 * Approve on the Approvals view makes it.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { openConsoleBrowser } from './console-browser.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { CHROMIUM, describeWithPrograms } from './programs.ts';
import { startServingS3 } from './s3.ts';

const OLGA = 'olga-console-key-0123456789';
const BOB = 'bob-console-key-0123456789a';

describeWithPrograms([CHROMIUM], 'the console under four eyes', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let versions: string[];
  let api: InProcessApi;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const serving = await startServingS3(2);
    ({ s3, registry, versions } = serving);
    api = await startInProcessApi({
      ...serving.env,
      ADMIN_API_KEYS: `olga:operator:${OLGA},bob:approver:${BOB}`,
      ALIAS_REFRESH_SECONDS: '0.2',
    });
    const policy = await fetch(`${api.url}/model/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': OLGA },
      body: JSON.stringify({ approvals: 2, reason: 'four eyes' }),
    });
    expect(policy.status).toBe(200);
    ({ browser, page, problems } = await openConsoleBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await s3?.close();
  });

  const go = (hash: string) => page.goto(`${api.url}/console${hash}`, { waitUntil: 'networkidle0' });
  const useKey = async (key: string): Promise<void> => {
    await go('#/models');
    if (await page.$('.key button[type="button"]')) await page.click('.key button[type="button"]'); // "Forget it"
    await page.type('input[name="admin-key"]', key);
    await page.click('form.key button[type="submit"]');
    await page.waitForSelector('.key button[type="button"]');
  };

  it('says "requested, waiting for approval" after Promote, moves nothing, and moves on another principal\'s Approve', async () => {
    const [first, second] = versions;
    await useKey(OLGA);
    await go(`#/models/${encodeURIComponent(second)}`);
    const promote = await page.waitForSelector('xpath/.//button[contains(., "Promote to champion")]');
    await promote!.click();
    await page.waitForSelector('.action .ok');
    expect(await page.$eval('.action .ok', (e) => e.textContent)).toMatch(
      /^Requested, waiting for approval \(change request \S+: 1 of 2; see Approvals\)\.$/,
    );
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(first);

    await useKey(BOB);
    await go('#/approvals');
    await page.waitForSelector('table.approvals tr[data-status="pending"]');
    expect(await page.$eval('table.approvals tr[data-status="pending"]', (e) => e.textContent)).toContain(
      `champion: ${first} -> ${second}; same contract; no promotion policy gate`,
    );
    const approve = await page.waitForSelector('xpath/.//tr[@data-status="pending"]//button[.="Approve"]');
    await approve!.click();
    await page.waitForSelector('.action .ok');
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(second);
    await page.waitForSelector('table.approvals tr[data-status="done"]');
    expect(problems).toEqual([]);
  });
});

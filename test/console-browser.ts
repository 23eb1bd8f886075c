/**
 * Test helper: Debian's Chromium, headless, driven by puppeteer-core, with one page the size of a
 * laptop screen that collects the console errors and page errors it sees and answers every
 * dialog with "OK" (noting its message). For tests of the operator console.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { pathOf } from './programs.ts';

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors, in order: a console test expects none. */
  problems: string[];
  /** The messages of the dialogs (confirm, alert) the page opened, each accepted. */
  dialogs: string[];
}

export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await puppeteer.launch({
    executablePath: pathOf('chromium')!,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.setViewport({ width: 1280, height: 900 });
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  return { browser, page, problems, dialogs };
}

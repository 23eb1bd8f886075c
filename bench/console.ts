/**
 * How fast the operator console renders on `npm start`: a real headless Chromium (Debian's,
 * through puppeteer-core) loads /console cold (a fresh browser context, nothing cached) and we
 * time from navigation to the models table showing the serving version, ten times.
 *   npm run bench:console [-- --url http://127.0.0.1:3000]   (a running npm start; the default)
 */
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    runs: { type: 'string', default: '10' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const info = (await (await fetch(`${values.url}/model/info`, { signal: AbortSignal.timeout(10_000) })).json()) as {
  model: { version: string };
};
const browser = await puppeteer.launch({
  executablePath: values.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
const times: { render: number; domContentLoaded: number }[] = [];
try {
  for (let run = 0; run < Number(values.runs); run++) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${values.url}/console`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    const domContentLoaded = performance.now() - started;
    await page.waitForSelector(`tr[data-version="${info.model.version}"]`, { timeout: 30_000 });
    times.push({ render: performance.now() - started, domContentLoaded });
    await context.close();
  }
} finally {
  await browser.close();
}
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const worst = (xs: number[]): number => Math.max(...xs);
console.log(`| console on ${values.url}, cold, ${times.length} loads | p50 | worst | goal |`);
console.log('| --- | --- | --- | --- |');
console.log(
  `| navigation to DOMContentLoaded | ${p50(times.map((t) => t.domContentLoaded)).toFixed(0)} ms | ${worst(times.map((t) => t.domContentLoaded)).toFixed(0)} ms | |`,
);
console.log(
  `| navigation to the serving version listed | ${p50(times.map((t) => t.render)).toFixed(0)} ms | ${worst(times.map((t) => t.render)).toFixed(0)} ms | < 1000 ms: ${p50(times.map((t) => t.render)) < 1000 ? 'met' : 'NOT met'} |`,
);

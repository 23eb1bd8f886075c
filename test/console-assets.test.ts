/** The console's bundle: what the page loads, within its size budget, and nothing fetched from elsewhere. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../lib/console/console-assets.ts';

describe('the console bundle', () => {
  it('is one script and one stylesheet, the script within 150 KB gzipped, with no URL to another origin', async () => {
    const assets = await buildConsoleAssets();
    expect([...assets.keys()].sort()).toEqual(['app.css', 'app.js']);
    const js = assets.get('app.js')!.body;
    const gzipped = gzipSync(js).byteLength;
    expect(gzipped).toBeGreaterThan(1_000);
    expect(gzipped).toBeLessThan(150 * 1024);
    // The page works offline: no script, style or font from a CDN.
    for (const { body } of assets.values()) expect(body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
  });
});

/**
 * Where a worker's script is. Bundled code (the Lambda layer, the container's bundles) ships
 * each worker as built JavaScript beside itself; `npm start` points WORKERS_DIR at its build.
 * Only code running from TypeScript sources (tests, a checkout) starts workers through an
 * entry that loads the sources with tsx.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function workerUrl(name: string, from: string): URL {
  if (process.env.WORKERS_DIR) return pathToFileURL(resolve(process.env.WORKERS_DIR, `${name}.mjs`));
  const bundled = new URL(`./${name}.mjs`, from);
  if (existsSync(bundled)) return bundled;
  return new URL(`./${name}-entry.mjs`, from);
}

/**
 * What npm start (scripts/start.ts) shows in a terminal: its own progress lines set off from the
 * service's, and serverless-offline's output without its route box. The box lists every route
 * twice (its path and its Lambda invoke path): 80 lines on this service, printed with
 * console.log by serverless-offline 13.10.1 (src/utils/logRoutes.js) with no option to turn it
 * off; the routes are in GET /openapi.json and docs/api.md.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { styleText } from 'node:util';

/** `[start] text`, bold cyan on a terminal so it stands out among the request lines. */
export function startLine(text: string, terminal: boolean): string {
  const tag = terminal ? styleText(['bold', 'cyan'], '[start]') : '[start]';
  return `${tag} ${text}\n`;
}

// eslint-disable-next-line no-control-regex -- terminal colour codes are control sequences
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A line of serverless-offline's route box (boxen's frame, its rows, the blank margin around it). */
export function isRouteBoxLine(line: string): boolean {
  const plain = line.replace(ANSI, '').trim();
  return plain === '' || /^[┌│└]/.test(plain);
}

/** Copies `from` to `to` line by line, leaving out the route box; JSON lines pass byte for byte. */
export function forwardWithoutRouteBox(from: Readable, to: Writable): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    if (!isRouteBoxLine(line)) to.write(line + '\n');
  });
}

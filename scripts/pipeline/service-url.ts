/**
 * The deployed HTTP API's URL from `serverless info --verbose` (Jenkins' Deploy stage, Lambda):
 *
 *   npx serverless info --stage "$STAGE" --verbose > .serverless-info.txt
 *   npx tsx scripts/pipeline/service-url.ts < .serverless-info.txt
 *
 * Serverless Framework v3 (and osls 3.77, its fork we install) prints the stack outputs as a section, its entries indented by two
 * spaces (lib/plugins/aws/info/display.js `displayStackOutputs` sets the section
 * "\nStack Outputs" to `${OutputKey}: ${OutputValue}` lines, and lib/cli/write-service-outputs.js
 * writes a list section as "Stack Outputs:" then each entry after "  "), so a parser anchored at
 * the line's start (`sed -n 's/^HttpApiUrl: //p'`) finds nothing. The section title may carry
 * colour codes on a terminal (`style.aside`); they are removed first.
 */
import { readFileSync } from 'node:fs';

// eslint-disable-next-line no-control-regex -- ANSI colour sequences
const ANSI = /\u001b\[[0-9;]*m/g;

/** The `HttpApiUrl` stack output in `serverless info --verbose` text; throws naming what is missing. */
export function serviceUrlFromInfo(text: string, output = 'HttpApiUrl'): string {
  const lines = text.replace(ANSI, '').split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === 'Stack Outputs:');
  if (start < 0)
    throw new Error(
      'no "Stack Outputs:" section: was `serverless info` run with --verbose, after a successful deploy?',
    );
  const values: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const entry = /^ {2}([A-Za-z0-9]+): (.*)$/.exec(line);
    if (!entry) break; // the section ends at the first line that is not an indented entry
    if (entry[1] === output) values.push(entry[2].trim());
  }
  if (values.length !== 1) throw new Error(`expected one ${output} in "Stack Outputs", found ${values.length}`);
  const url = new URL(values[0]);
  if (url.protocol !== 'https:') throw new Error(`${output} is not an https URL: ${values[0]}`);
  return values[0].replace(/\/$/, '');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${serviceUrlFromInfo(readFileSync(0, 'utf8'))}\n`);
  } catch (err) {
    process.stderr.write(`service-url: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

/**
 * npm run package [-- --stage prod]: builds the bundles and runs `serverless package`, which
 * writes the function zips, the layer zip and the CloudFormation template to .serverless/,
 * with no AWS access (dummy credentials; the layer's DescribeStacks check is skipped).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SERVERLESS_BIN, SERVERLESS_ENV } from './serverless-env.ts';

const { values } = parseArgs({
  options: { stage: { type: 'string', default: 'dev' }, region: { type: 'string', default: 'eu-west-1' } },
});
execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: 'inherit' });
execFileSync(SERVERLESS_BIN, ['package', '--stage', values.stage, '--region', values.region], {
  stdio: 'inherit',
  env: {
    ...process.env,
    ...SERVERLESS_ENV,
    OFFLINE_PACKAGE: 'true',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'offline-package',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'offline-package',
  },
});
for (const file of readdirSync('.serverless').sort()) {
  if (file.endsWith('.zip') || file.endsWith('.json'))
    process.stdout.write(
      `${file.padEnd(48)} ${(statSync(`.serverless/${file}`).size / 1024).toFixed(1).padStart(8)} KiB\n`,
    );
}

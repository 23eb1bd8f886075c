/**
 * The embedded S3 server on its own (the same one `npm start` runs inside itself), for a
 * second service process on the same bucket, or a store you can pause and resume:
 * `npm run s3` with S3_PORT (4569), DATA_DIR (.data) and MODEL_BUCKET. Prints one JSON line,
 * {"endpoint": ...}, once it listens; stops on SIGTERM/SIGINT.
 */
import { join } from 'node:path';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { acceptCommandLine } from './cli/command.ts';
import { S3 } from './cli/commands/s3.ts';
import { onStopSignals } from './stop-signals.ts';

if (!acceptCommandLine(S3, process.argv.slice(2))) process.exit();

const s3 = await startEmbeddedS3({
  directory: join(process.env.DATA_DIR ?? '.data', 's3'),
  port: Number(process.env.S3_PORT ?? 4569),
  buckets: [process.env.MODEL_BUCKET ?? 'mlops-credit-score-models'],
});
process.stdout.write(JSON.stringify({ endpoint: s3.endpoint }) + '\n');
onStopSignals(() => void s3.close().finally(() => process.exit(0)));

/**
 * Structured logs: one JSON line per event in Elastic Common Schema fields (pino with Elastic's
 * ECS formatter), which Filebeat ships to Elasticsearch (docs/observability.md). Personal data
 * never goes in: callers log identifiers of requests and models, never request bodies. In a
 * terminal (LOG_FORMAT auto, the default) the same records print as one short line each
 * (human-log.ts): a person reads them there, and no program does.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, destination, type DestinationStream, type Logger } from 'pino';
import { humanDestination, resolveLogFormat, type LogFormat } from './human-log.ts';

export type { Logger };

export function createLogger(options: {
  service: string;
  environment: string;
  level?: string;
  file?: string;
  format?: LogFormat;
  stdout?: NodeJS.WriteStream;
}): Logger {
  const stdout = options.stdout ?? process.stdout;
  const format = options.file ? 'json' : resolveLogFormat(options.format ?? 'auto', stdout.isTTY === true);
  const target: DestinationStream = options.file
    ? destination({ dest: options.file, sync: true, mkdir: true })
    : format === 'text'
      ? humanDestination((line) => stdout.write(line))
      : stdout;
  return pino(
    {
      ...ecsFormat({ serviceName: options.service, serviceEnvironment: options.environment, convertErr: true }),
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    },
    target,
  );
}

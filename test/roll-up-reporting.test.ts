/**
 * The rollups the minute schedule and housekeeping run (functions/runtime/roll-up.ts): a store
 * that fails is a logged, counted background failure; a rollup cut short because the process
 * is stopping (its monitoring worker closed under it) is neither.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rollUpReporting } from '../functions/runtime/roll-up.ts';
import { OffThreadReads } from '../lib/monitoring/off-thread-reads.ts';
import { createLogger } from '../lib/observability/logger.ts';
import { ServiceMetrics } from '../lib/observability/metrics.ts';
import { freePort } from './helpers.ts';

function recorder(): { lines: { level: string; message: string }[]; logger: ReturnType<typeof createLogger> } {
  const lines: { level: string; message: string }[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as { 'log.level': string; message: string };
        lines.push({ level: record['log.level'], message: record.message });
      }
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { lines, logger: createLogger({ service: 't', environment: 't', level: 'info', format: 'json', stdout }) };
}

const failures = async (metrics: ServiceMetrics): Promise<number> =>
  (await metrics.backgroundFailures.get()).values.find((v) => v.labels.task === 'summary-rollup')?.value ?? 0;

describe('a rollup run by the schedules', () => {
  it('that the store refuses is logged as an error and counted as a background failure', async () => {
    const { lines, logger } = recorder();
    const metrics = new ServiceMetrics({ service: 't', stage: 't' });
    // Nothing listens on this port: every store call is refused.
    const monitoring = new OffThreadReads({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestTimeoutMs: 2_000,
    });
    try {
      await rollUpReporting({ monitoring, logger, metrics }, 'm', Date.now(), { lookbackMs: 60_000 });
    } finally {
      await monitoring.close();
    }
    expect(await failures(metrics)).toBe(1);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      expect.stringContaining('monitoring summaries of m could not be rolled up'),
    ]);
  });

  it('cut short by shutdown (the worker closed under it) is neither an error nor a failure', async () => {
    const { lines, logger } = recorder();
    const metrics = new ServiceMetrics({ service: 't', stage: 't' });
    const monitoring = new OffThreadReads({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    await monitoring.close();
    await rollUpReporting({ monitoring, logger, metrics }, 'm');
    expect(await failures(metrics)).toBe(0);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.map((l) => l.message)).toEqual([
      expect.stringContaining('monitoring rollup of m stopped with the process'),
    ]);
  });
});

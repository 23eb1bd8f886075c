/**
 * Log lines in a terminal (lib/observability/human-log.ts): one short line per record, and the
 * ECS JSON line, as before, wherever the output is not a terminal or LOG_FORMAT=json.
 */
import { Writable } from 'node:stream';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../lib/config/config.ts';
import { humanLine, type LogFormat } from '../lib/observability/human-log.ts';
import { createLogger, type Logger } from '../lib/observability/logger.ts';

/** A stdout that keeps what is written, a terminal or not. */
function fakeStdout(isTTY: boolean): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  stream.isTTY = isTTY;
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

/** The fields observe() (lib/http/observe.ts) logs for one answered /predict (the model's from functions/runtime/score-routed.ts). */
const ACCESS = {
  'log.logger': 'access',
  'http.request.id': '20261207T160019234Z-0e00bcc1d3f6-000001',
  'http.request.method': 'POST',
  'url.path': '/predict',
  'http.response.status_code': 200,
  'event.duration': 3_141_592,
  route: 'POST /predict',
  'model.name': 'credit-score',
  'model.version': '20261207T160001882Z-87c1d3',
  'model.variant': 'default',
};

function logged(isTTY: boolean, format: LogFormat | undefined, log: (logger: Logger) => void): string[] {
  const out = fakeStdout(isTTY);
  log(createLogger({ service: 'mlops-credit-score', environment: 'local', format, stdout: out.stream }));
  return out.lines();
}

describe('log lines in a terminal', () => {
  it("prints a request's access record as one short line: time, method, path, status, milliseconds, model", () => {
    const lines = logged(true, 'auto', (logger) => logger.info(ACCESS, 'POST /predict 200'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d POST \/predict 200 3\.1 ms credit-score 20261207T160001882Z-87c1d3 default$/,
    );
  });

  it('marks a refused request with WARN and its error code, and other records with their logger and message', () => {
    const lines = logged(true, 'text', (logger) => {
      logger.warn(
        {
          ...ACCESS,
          'url.path': '/nope',
          'http.response.status_code': 404,
          'event.duration': 250_000_000,
          'error.code': 'not_found',
        },
        'GET /nope 404 not_found',
      );
      logger.info(
        { 'log.logger': 'model', 'event.action': 'model-loaded' },
        'loaded credit-score v1 (champion) in 116.4 ms',
      );
      logger.error({ 'log.logger': 'canary', err: new Error('storage unavailable') }, 'canary check failed');
    });
    expect(lines.map((l) => l.slice(9))).toEqual([
      'WARN POST /nope 404 250 ms credit-score 20261207T160001882Z-87c1d3 default not_found',
      'model: loaded credit-score v1 (champion) in 116.4 ms',
      'ERROR canary: canary check failed: storage unavailable',
    ]);
  });

  it('writes the ECS JSON line exactly as before when stdout is not a terminal, or with LOG_FORMAT=json on one', () => {
    // Before LOG_FORMAT: pino with the ECS formatter straight onto stdout.
    const before = fakeStdout(false);
    pino(
      {
        ...ecsFormat({ serviceName: 'mlops-credit-score', serviceEnvironment: 'local', convertErr: true }),
        level: 'info',
      },
      before.stream,
    ).info(ACCESS, 'POST /predict 200');
    const withoutTime = (line: string): Record<string, unknown> => {
      const { ['@timestamp']: at, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      return rest;
    };
    const expected = withoutTime(before.lines()[0]);
    for (const [isTTY, format] of [
      [false, 'auto'],
      [false, undefined],
      [true, 'json'],
      [false, 'json'],
    ] as const) {
      const lines = logged(isTTY, format, (logger) => logger.info(ACCESS, 'POST /predict 200'));
      expect(lines, `isTTY ${isTTY}, LOG_FORMAT ${format}`).toHaveLength(1);
      expect(withoutTime(lines[0]), `isTTY ${isTTY}, LOG_FORMAT ${format}`).toEqual(expected);
    }
    expect(expected).toMatchObject({
      'log.level': 'info',
      'ecs.version': expect.any(String),
      'url.path': '/predict',
      message: 'POST /predict 200',
    });
  });

  it('reads a record with no time or fields as placeholders, never throwing', () => {
    expect(humanLine({})).toBe('--:--:-- ');
    expect(humanLine({ 'log.logger': 'access', 'http.response.status_code': 503 })).toBe('--:--:-- ? ? 503');
  });

  it('takes LOG_FORMAT auto by default, and refuses a format it does not know, naming the setting', () => {
    expect(loadConfig({}).LOG_FORMAT).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'pretty' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'pretty' })).toThrow(/LOG_FORMAT/);
  });
});

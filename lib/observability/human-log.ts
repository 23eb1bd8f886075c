/**
 * The log lines a person reads in a terminal: one short line per record instead of the ~580
 * characters of an ECS JSON line (logger.ts). A request's access record becomes
 * `16:00:19 POST /predict 200 3.1 ms credit-score 20261207T160001882Z-87c1d3 default` (the model,
 * its version and the traffic policy's variant that answered, where the route logs them); any
 * other record its time, its level when above info, its logger and its message. JSON stays the
 * format wherever a program reads the lines (not a terminal, a log file, LOG_FORMAT=json).
 */

/** `json` always; `text` always; `auto`: text when the lines go to a terminal. */
export type LogFormat = 'auto' | 'json' | 'text';

export function resolveLogFormat(format: LogFormat, toTerminal: boolean): 'json' | 'text' {
  return format === 'auto' ? (toTerminal ? 'text' : 'json') : format;
}

type LogRecord = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** HH:MM:SS of the record's ECS timestamp, in UTC as the JSON lines are (blank when absent). */
function clock(record: LogRecord): string {
  const at = text(record['@timestamp']);
  return (at && /T(\d\d:\d\d:\d\d)/.exec(at)?.[1]) || '--:--:--';
}

/** Milliseconds of an ECS `event.duration` (nanoseconds), with one decimal below 100 ms. */
function milliseconds(nanoseconds: number): string {
  const ms = nanoseconds / 1e6;
  return `${ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** The one line a log record (an ECS JSON object as logger.ts writes it) reads as in a terminal. */
export function humanLine(record: LogRecord): string {
  const level = text(record['log.level']) ?? 'info';
  const marker = level === 'info' || level === 'debug' || level === 'trace' ? '' : ` ${level.toUpperCase()}`;
  const logger = text(record['log.logger']);
  const status = record['http.response.status_code'];
  if (logger === 'access' && typeof status === 'number') {
    const parts = [
      text(record['http.request.method']) ?? '?',
      text(record['url.path']) ?? '?',
      String(status),
      typeof record['event.duration'] === 'number' ? milliseconds(record['event.duration']) : null,
      text(record['model.name']),
      text(record['model.version']),
      text(record['model.variant']),
      text(record['error.code']),
    ];
    return `${clock(record)}${marker} ${parts.filter((p) => p !== null).join(' ')}`;
  }
  const message = text(record.message) ?? '';
  // The ECS formatter nests a logged Error as {error: {type, message, stack_trace}}; the stack stays in the JSON lines.
  const nested = record.error;
  const err =
    nested !== null && typeof nested === 'object' && 'message' in nested ? nested.message : record['error.message'];
  const why = typeof err === 'string' && !message.includes(err) ? `: ${err}` : '';
  return `${clock(record)}${marker} ${logger ? `${logger}: ` : ''}${message}${why}`;
}

/** A pino destination that writes each JSON line pino hands it as humanLine to `write`. */
export function humanDestination(write: (line: string) => void): { write: (chunk: string) => void } {
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) {
        if (line.trim() === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          write(line + '\n'); // not a record: as it came
          continue;
        }
        write(record !== null && typeof record === 'object' ? humanLine(record as LogRecord) + '\n' : line + '\n');
      }
    },
  };
}

/**
 * Progress of a training run: a live bar on a terminal (cli-progress), one plain line per
 * step otherwise (CI logs, files), so logs stay readable and terminals stay quiet.
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  start(total: number, title: string): void;
  step(message: string): void;
  stop(): void;
  /**
   * Awaited between fits, while nothing else runs: a reporter that writes somewhere (a job's
   * heartbeat) finishes its I/O here, since a fit is seconds of synchronous work during which
   * no I/O completes.
   */
  settle?(): Promise<void>;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressReporter {
  if (quiet) return { start() {}, step() {}, stop() {} };
  if (!stream.isTTY) return new LineReporter(stream);
  return new BarReporter(stream);
}

/** Steps done, their rate since the start, and the time the rest should take at that rate. */
export class Rate {
  done = 0;
  total = 0;
  private startedAt = 0;

  start(total: number, now = performance.now()): void {
    this.total = total;
    this.done = 0;
    this.startedAt = now;
  }

  step(now = performance.now()): { perSecond: number; etaSeconds: number } {
    this.done++;
    const seconds = Math.max(1e-3, (now - this.startedAt) / 1000);
    const perSecond = this.done / seconds;
    return { perSecond, etaSeconds: Math.max(0, this.total - this.done) / perSecond };
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

class LineReporter implements ProgressReporter {
  private readonly rate = new Rate();
  constructor(private readonly stream: NodeJS.WritableStream) {}
  start(total: number, title: string): void {
    this.rate.start(total);
    this.stream.write(`${title}: ${total} steps\n`);
  }
  step(message: string): void {
    const { perSecond, etaSeconds } = this.rate.step();
    this.stream.write(
      `[${this.rate.done}/${this.rate.total}] ${message} (${perSecond.toFixed(2)} steps/s, ${formatDuration(etaSeconds)} left)\n`,
    );
  }
  stop(): void {}
}

class BarReporter implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{title} [{bar}] {value}/{total} | {eta_formatted} left | {message}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }
  start(total: number, title: string): void {
    this.bar.start(total, 0, { title, message: '' });
  }
  step(message: string): void {
    this.bar.increment(1, { message });
  }
  stop(): void {
    this.bar.stop();
  }
}

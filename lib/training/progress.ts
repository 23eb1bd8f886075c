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

class LineReporter implements ProgressReporter {
  private done = 0;
  private total = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  start(total: number, title: string): void {
    this.total = total;
    this.done = 0;
    this.stream.write(`${title}: ${total} steps\n`);
  }
  step(message: string): void {
    this.done++;
    this.stream.write(`[${this.done}/${this.total}] ${message}\n`);
  }
  stop(): void {}
}

class BarReporter implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      { stream, format: '{title} [{bar}] {value}/{total} | {eta_formatted} left | {message}', hideCursor: true, clearOnComplete: false },
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

/**
 * `npm start`'s full candidate search: started as a retrain job through the running service's
 * API, then followed on the terminal (progress, rate, time left) until it ends.
 */
import { formatDuration } from '../../lib/training/progress.ts';

interface Options {
  url: string;
  /** How often progress is read and printed. */
  pollMs: number;
  adminKey: string;
  request: Record<string, unknown>;
  say: (line: string) => void;
  isRunning: () => boolean;
}

export async function followFullSearch(options: Options): Promise<void> {
  const { url, adminKey, say } = options;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(url + path, {
      method,
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  try {
    for (let i = 0; i < 120 && options.isRunning(); i++) {
      const live = await fetch(`${url}/health?probe=live`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (live) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const started = await call('POST', '/model/retrain', options.request);
    if (started.status !== 202)
      return say(`the full candidate search did not start: ${JSON.stringify(started.json.error ?? started.json)}`);
    const jobId = started.json.jobId as string;
    say(
      `full candidate search: retrain job ${jobId} (GET /model/retrain/${jobId}); the first model serves meanwhile, and is replaced only by a better one`,
    );
    while (options.isRunning()) {
      await new Promise((r) => setTimeout(r, options.pollMs));
      const job = (await call('GET', `/model/retrain/${jobId}`)).json;
      const progress = job.progress as
        { done: number; total: number; perSecond?: number; etaSeconds?: number } | undefined;
      if (job.status === 'succeeded') {
        const result = job.result as {
          version: string;
          decision?: string;
          best: { classifier: string; sampler: string };
        };
        return say(
          `full candidate search done: ${result.best.classifier}+${result.best.sampler} registered as ${result.version}; ${result.decision ?? ''}`,
        );
      }
      if (job.status === 'failed') return say(`full candidate search failed: ${String(job.error)}`);
      if (progress?.total)
        say(
          `full candidate search: ${progress.done}/${progress.total} fits${progress.perSecond ? `, ${progress.perSecond.toFixed(2)}/s, about ${formatDuration(progress.etaSeconds ?? 0)} left` : ''}`,
        );
    }
  } catch (err) {
    say(`could not follow the full candidate search: ${(err as Error).message}`);
  }
}

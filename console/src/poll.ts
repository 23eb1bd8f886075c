/**
 * Data that refreshes: loads once, then again every `everyMs` while the tab is visible. After a
 * failure the wait doubles (up to 16x) and comes back down on success; a hidden tab polls not at
 * all and catches up when shown again.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onAdminKeyChange } from './admin-key.ts';
import type { ApiError } from './api.ts';

export interface Polled<T> {
  data: T | null;
  error: ApiError | null;
  reload: () => void;
}

/** `enabled` false loads nothing (an admin view without the key: no request, no 401 in the console). */
export function usePoll<T>(load: () => Promise<T>, everyMs: number | null, deps: unknown[] = [], enabled = true): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const failures = useRef(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => onAdminKeyChange(reload), [reload]);
  useEffect(() => {
    let stopped = false;
    let loading = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One chain of loads at a time: a load in flight schedules the next itself.
    const run = async (): Promise<void> => {
      if (stopped || loading || document.hidden || !enabled) return;
      loading = true;
      try {
        const value = await load();
        if (stopped) return;
        setData(value);
        setError(null);
        failures.current = 0;
      } catch (err) {
        if (stopped) return;
        setError(err as ApiError);
        failures.current = Math.min(failures.current + 1, 4);
      } finally {
        loading = false;
      }
      if (everyMs !== null && !stopped) {
        clearTimeout(timer);
        timer = setTimeout(run, everyMs * 2 ** failures.current);
      }
    };
    const onVisible = (): void => {
      if (!document.hidden && !stopped && !loading) {
        clearTimeout(timer);
        void run();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [tick, everyMs, enabled, ...deps]);
  return { data, error, reload };
}

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
export function usePoll<T>(
  load: () => Promise<T>,
  everyMs: number | null,
  deps: unknown[] = [],
  enabled = true,
): Polled<T> {
  // What was loaded is kept with the deps it was loaded for: after a change (another version's
  // page) the view shows "loading" rather than the previous one's data under the new title.
  const key = JSON.stringify(deps);
  const [loaded, setLoaded] = useState<{ key: string; data: T | null; error: ApiError | null }>({
    key,
    data: null,
    error: null,
  });
  const data = loaded.key === key ? loaded.data : null;
  const error = loaded.key === key ? loaded.error : null;
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
        setLoaded({ key, data: value, error: null });
        failures.current = 0;
      } catch (err) {
        if (stopped) return;
        // The last good data stays beside the error, as before: a failed refresh does not blank the view.
        setLoaded((previous) => ({ key, data: previous.key === key ? previous.data : null, error: err as ApiError }));
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

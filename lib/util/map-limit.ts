/** Maps over items with at most `limit` calls in flight (listing-driven reads must not open hundreds of sockets). */
import pLimit from 'p-limit';

export function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const run = pLimit(limit);
  return Promise.all(items.map((item) => run(() => fn(item))));
}

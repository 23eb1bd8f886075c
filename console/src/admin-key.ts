/**
 * The admin API key: typed once, kept in sessionStorage (gone when the tab closes), sent only as
 * the x-api-key header, never in a URL. Components re-render when it changes.
 */
const STORAGE_KEY = 'credit-score-admin-key';
const listeners = new Set<() => void>();

export function adminKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setAdminKey(key: string | null): void {
  if (key) sessionStorage.setItem(STORAGE_KEY, key);
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

export function onAdminKeyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The page's address after `#`: the view's path, then the chosen model as a query,
 * `#/traffic?model=taiwan-credit-default`, so a link to a page of another model than the default
 * opens on that model and a reload keeps it. No `model` in the hash: the service's default model
 * (its routes without `?model=`). Every link the console draws goes through `link`.
 */
import { useEffect, useState } from 'preact/hooks';

export interface HashRoute {
  /** The view's path parts, decoded: ['models', '<version>', 'card']. */
  parts: string[];
  /** The model chosen in the picker, or null for the service's default model. */
  model: string | null;
}

const decode = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a malformed escape in a typed URL: the view says it finds nothing
  }
};

export function readHash(hash: string = location.hash): HashRoute {
  const text = hash.replace(/^#\/?/, '');
  const at = text.indexOf('?');
  const path = at < 0 ? text : text.slice(0, at);
  const model = at < 0 ? null : new URLSearchParams(text.slice(at + 1)).get('model');
  return { parts: (path || 'models').split('/').map(decode), model: model || null };
}

/** The hash of `path` (its parts already encoded) for `model`. */
export function hashFor(path: string, model: string | null): string {
  return model === null ? `#/${path}` : `#/${path}?${new URLSearchParams({ model }).toString()}`;
}

/** A link to `path` on the model the page is on now. */
export function link(path: string): string {
  return hashFor(path, readHash().model);
}

export function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(() => readHash());
  useEffect(() => {
    const onChange = (): void => setRoute(readHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

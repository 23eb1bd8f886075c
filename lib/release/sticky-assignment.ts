/**
 * Sticky, deterministic assignment of a request to a variant: a hash of the request key (the
 * customer id, else an x-request-key header, else the request id) picks a point in [0, 10000),
 * and the variants own consecutive ranges of it in proportion to their weights. The same
 * customer lands on the same variant for as long as the weights stay the same; raising a
 * challenger's share only moves customers from the champion to the challenger, never back.
 */
import type { Route } from './traffic-policy.ts';

const POINTS = 10_000;

/** 32-bit FNV-1a of the key's UTF-16 units, then murmur3's finaliser for avalanche. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The point of a key in [0, POINTS), salted with the model name so models split independently. */
export function assignmentPoint(model: string, key: string): number {
  return hashKey(`${model}\u0000${key}`) % POINTS;
}

/**
 * The route owning `point`. Ranges are laid out from the end: the last route (a canary's
 * challenger) owns the top of the range, so growing its weight takes points only from below.
 */
export function routeFor(routes: Route[], point: number): Route {
  let upper = POINTS;
  for (let i = routes.length - 1; i >= 0; i--) {
    const lower = upper - routes[i].weight * (POINTS / 100);
    if (point >= lower && routes[i].weight > 0) return routes[i];
    upper = lower;
  }
  return routes.find((r) => r.weight > 0) ?? routes[0];
}

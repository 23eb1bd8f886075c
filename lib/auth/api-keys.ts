/**
 * Admin API keys, named or legacy. An entry of ADMIN_API_KEYS (or of the secret's adminApiKeys)
 * is either `name:role:key` (e.g. `alice:operator:...`), a principal with one role, or a plain
 * key (the legacy form), which is the principal `admin-key-N` (N counting plain keys from 1)
 * with every role. A key has at least 16 characters either way.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ROLES, type Principal, type Role } from './principal.ts';

export const MIN_KEY_LENGTH = 16;
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const NAMED = new RegExp(`^([^:]*):(${ROLES.join('|')}):(.*)$`, 's');

export interface KeyEntry {
  principal: Principal;
  key: string;
}

/** The entries of a comma-separated list (ADMIN_API_KEYS). */
export function splitAdminKeys(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** What is wrong with one entry, or null. Never quotes the key. */
export function adminKeyProblem(entry: string): string | null {
  const named = NAMED.exec(entry);
  if (named) {
    if (!NAME.test(named[1]))
      return 'a named admin API key name:role:key needs a name of letters, digits, ".", "_", "@", "-" (at most 64)';
    if (named[3].length < MIN_KEY_LENGTH)
      return `the key of a named admin API key (name:role:key) must have at least ${MIN_KEY_LENGTH} characters`;
    return null;
  }
  return entry.length < MIN_KEY_LENGTH ? `admin API keys must have at least ${MIN_KEY_LENGTH} characters` : null;
}

/**
 * The entries as principals with their keys. A name may have two keys (the old and the new while
 * a key is rotated): both are the same principal.
 */
export function parseAdminKeys(entries: readonly string[]): KeyEntry[] {
  const out: KeyEntry[] = [];
  let plain = 0;
  for (const entry of entries) {
    const named = NAMED.exec(entry);
    if (named && NAME.test(named[1])) {
      out.push({
        key: named[3],
        principal: { id: named[1], name: named[1], roles: [named[2] as Role], via: 'api key' },
      });
    } else {
      plain += 1;
      const id = `admin-key-${plain}`;
      out.push({ key: entry, principal: { id, name: id, roles: [...ROLES], via: 'legacy api key' } });
    }
  }
  return out;
}

/**
 * The principal whose key `candidate` is, in time that does not depend on where the keys differ:
 * both sides are hashed to equal-length digests, compared with timingSafeEqual, and every key is
 * compared (no early exit on a match).
 */
export function principalForKey(candidate: string | undefined, entries: readonly KeyEntry[]): Principal | null {
  if (!candidate) return null;
  const digest = createHash('sha256').update(candidate).digest();
  let found: Principal | null = null;
  for (const entry of entries) {
    const same = timingSafeEqual(digest, createHash('sha256').update(entry.key).digest());
    if (same && !found) found = entry.principal;
  }
  return found;
}

/**
 * Who calls an admin route and what they may do. Roles nest: a viewer reads (the admin GET
 * routes), an operator also changes (promote, rollback, traffic, retrain, checks, feedback), an
 * approver also approves another principal's change (the four-eyes flow builds on this). A
 * principal's `id` is stable (the key's name, the token's subject): it is what compares two
 * principals; `name` is for people.
 */
export const ROLES = ['viewer', 'operator', 'approver'] as const;
export type Role = (typeof ROLES)[number];

/** How the caller proved who they are. */
export type CredentialKind = 'api key' | 'legacy api key' | 'oidc';

export interface Principal {
  id: string;
  name: string;
  roles: Role[];
  via: CredentialKind;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The highest of `roles` (they nest, so it says everything they allow); null for none. */
export function highestRole(roles: readonly Role[]): Role | null {
  let best = -1;
  for (const role of roles) best = Math.max(best, ROLES.indexOf(role));
  return best < 0 ? null : ROLES[best];
}

/** Whether `principal` may do what `needed` may: one of its roles is `needed` or above it. */
export function mayActAs(principal: Pick<Principal, 'roles'>, needed: Role): boolean {
  const best = highestRole(principal.roles);
  return best !== null && ROLES.indexOf(best) >= ROLES.indexOf(needed);
}

/**
 * The principal as the history's `actor` records it: `alice (operator, api key)`, or with the
 * stable id when the display name differs: `Alice Smith [00u1ab] (approver, oidc)`. A string,
 * so stored events keep their schema; the console's history reads it back (console/src/history-text.ts).
 */
export function describePrincipal(principal: Principal): string {
  const who = principal.name === principal.id ? principal.id : `${principal.name} [${principal.id}]`;
  return `${who} (${highestRole(principal.roles) ?? 'no role'}, ${principal.via})`;
}

const CREDENTIALS: readonly CredentialKind[] = ['api key', 'legacy api key', 'oidc'];
const ACTOR = new RegExp(`^(.+?)(?: \\[([^\\]]+)\\])? \\((${ROLES.join('|')}|no role), (${CREDENTIALS.join('|')})\\)$`);

/** What describePrincipal wrote, read back (the console's history); null for any other actor. */
export function readPrincipalActor(
  actor: string,
): { name: string; id: string; role: Role | null; via: CredentialKind } | null {
  const match = ACTOR.exec(actor);
  if (!match) return null;
  return {
    name: match[1],
    id: match[2] ?? match[1],
    role: isRole(match[3]) ? match[3] : null,
    via: match[4] as CredentialKind,
  };
}

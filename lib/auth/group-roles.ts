/** OIDC_GROUP_ROLES: which identity-provider group grants which role (docs/identities.md). */
import { isRole, type Role } from './principal.ts';

/** `group=role,group2=role` as a map; throws naming the bad part. */
export function parseGroupRoles(text: string): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !group || !isRole(role))
      throw new Error(`"${pair}" is not group=role with a role of viewer, operator, approver`);
    map[group] = role;
  }
  return map;
}

/**
 * Traffic policies, as release code reads them. The policy is a stored document
 * (models/{name}/traffic.json) that the state, the registry and governance read too, so it is
 * declared below them all, in lib/state/traffic-policy.ts; release code and the handlers keep
 * importing it from here.
 */
export * from '../state/traffic-policy.ts';

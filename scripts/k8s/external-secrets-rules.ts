/**
 * External Secrets Operator (pinned: v2.9.0, the version docs/kubernetes.md installs) turns an
 * ExternalSecret into an ordinary Secret, read from the SecretStore it names. What must hold for
 * the workloads to start on the first apply:
 * - every ExternalSecret, SecretStore and ClusterSecretStore fits the CRD's openAPIV3Schema at that
 *   tag (schemas/external-secrets-v2.9.0.yaml, trimmed from config/crds/bases): an unknown or
 *   misspelt field is dropped by the server or refused by kubectl, a wrong type is refused;
 * - the store it names exists in the render (secretStoreRef.kind defaults to SecretStore, in the
 *   ExternalSecret's namespace), and a Vault store's Kubernetes auth names a ServiceAccount the
 *   render has (ESO asks the TokenRequest API for that account's token: no account, no login);
 * - the Secret it writes (target.name, defaulting to the ExternalSecret's own name, per the CRD)
 *   has every key a workload's secretKeyRef reads from it: a missing key leaves the pod in
 *   CreateContainerConfigError. Only `data` entries name their keys statically; dataFrom and
 *   target.template make keys this check cannot see, so they are refused here;
 * - no Secret of that name is also in the render: kubectl apply and the operator would overwrite
 *   each other's data.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { K8sObject } from './deploy-rules.ts';
import { podSpecs } from './pod-specs.ts';
import { schemaProblems, type Schema } from './crd-schema.ts';

export const ESO_VERSION = 'v2.9.0';
export const ESO_API_VERSION = 'external-secrets.io/v1';
const SCHEMAS = parse(
  readFileSync(new URL(`./schemas/external-secrets-${ESO_VERSION}.yaml`, import.meta.url), 'utf8'),
) as Record<string, Schema>;
const SCHEMA_OF: Record<string, Schema | undefined> = {
  ExternalSecret: SCHEMAS.ExternalSecret,
  SecretStore: SCHEMAS.SecretStore,
  ClusterSecretStore: SCHEMAS.SecretStore,
};

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests
type Namespaced = K8sObject & { metadata?: { name?: string; namespace?: string } };

export const isExternalSecretsObject = (o: K8sObject): boolean => o.apiVersion.split('/')[0] === 'external-secrets.io';

/** Schema problems of one external-secrets.io object (checkObject's part for these kinds). */
export function externalSecretsSchemaProblems(o: K8sObject): string[] {
  const name = `${o.kind}/${o.metadata?.name ?? '?'}`;
  const schema = SCHEMA_OF[o.kind];
  if (o.apiVersion !== ESO_API_VERSION || !schema)
    return [
      `${name}: no schema for ${o.apiVersion} ${o.kind} (k8s:check knows ${ESO_API_VERSION} ${Object.keys(SCHEMA_OF).join(', ')} of ESO ${ESO_VERSION})`,
    ];
  return schemaProblems(schema, o).map((p) => `${name}: ${p}`);
}

/** The Secret keys the rendered workloads read with secretKeyRef, by Secret name. */
function keysRead(objects: K8sObject[]): Map<string, Map<string, string[]>> {
  const read = new Map<string, Map<string, string[]>>();
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])] as Any[]) {
        for (const e of (c.env ?? []) as Any[]) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref?.name || !ref.key) continue;
          const keys = read.get(ref.name) ?? new Map<string, string[]>();
          keys.set(ref.key, [...(keys.get(ref.key) ?? []), `${o.kind}/${o.metadata?.name ?? '?'}`]);
          read.set(ref.name, keys);
        }
      }
    }
  }
  return read;
}

export function externalSecretsProblems(objects: K8sObject[]): string[] {
  const eso = objects.filter(isExternalSecretsObject) as Namespaced[];
  if (!eso.length) return [];
  const problems: string[] = [];
  const ns = (o: Namespaced): string => o.metadata?.namespace ?? 'default';
  const has = (kind: string, name: string, namespace?: string): boolean =>
    objects.some(
      (o) =>
        o.kind === kind && o.metadata?.name === name && (namespace === undefined || ns(o as Namespaced) === namespace),
    );
  for (const store of eso.filter((o) => o.kind === 'SecretStore' || o.kind === 'ClusterSecretStore')) {
    const account = (store.spec as Any | undefined)?.provider?.vault?.auth?.kubernetes?.serviceAccountRef;
    const where = store.kind === 'SecretStore' ? ns(store) : account?.namespace;
    if (account?.name && !has('ServiceAccount', account.name, where))
      problems.push(
        `${store.kind}/${store.metadata?.name}: its Vault Kubernetes auth uses ServiceAccount ${account.name}${where ? ` in ${where}` : ''}, which the render does not have`,
      );
  }
  const read = keysRead(objects);
  for (const es of eso.filter((o) => o.kind === 'ExternalSecret')) {
    const spec = (es.spec ?? {}) as Any;
    const name = `ExternalSecret/${es.metadata?.name ?? '?'}`;
    const storeKind = spec.secretStoreRef?.kind ?? 'SecretStore';
    const storeName = spec.secretStoreRef?.name;
    if (storeName && !has(storeKind, storeName, storeKind === 'SecretStore' ? ns(es) : undefined))
      problems.push(`${name}: its ${storeKind} ${storeName} is not in the render`);
    const target = spec.target?.name ?? es.metadata?.name ?? '?';
    if (has('Secret', target, ns(es)))
      problems.push(
        `${name}: the render also has Secret ${target}: kubectl apply and the operator would overwrite each other`,
      );
    if (spec.dataFrom || spec.target?.template)
      problems.push(
        `${name}: dataFrom or target.template gives Secret ${target} keys k8s:check cannot see: name each key under data`,
      );
    const written = new Set(((spec.data ?? []) as Any[]).map((d) => d.secretKey));
    for (const [key, users] of read.get(target) ?? []) {
      if (!written.has(key))
        problems.push(
          `${name}: Secret ${target} gets no key ${key}, which ${users.join(', ')} read(s) with secretKeyRef: add it under data`,
        );
    }
  }
  return problems;
}

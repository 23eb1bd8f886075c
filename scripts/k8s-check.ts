/**
 * npm run k8s:check [-- DIR ...]: renders every kustomize overlay (k8s-fallback/overlays/*, or
 * the directories given) with `kubectl kustomize`, then checks each object against the
 * Kubernetes and Knative schemas (kubernetes-models, @kubernetes-models/knative: types, required
 * fields) and for unknown fields, which those schemas let through: every key must be a property
 * name the object's schemas know, except inside free-form maps (labels, annotations, data...),
 * and against the rules the platforms apply that the schemas cannot see (scripts/k8s/*-rules.ts,
 * each citing the upstream source it was read from): Knative's field masks and reserved names
 * (knative-rules.ts), its tag resolution (tag-resolution-rules.ts), the NetworkPolicies Knative's
 * system ports need (network-policy-rules.ts), restricted Pod Security (pod-security-rules.ts),
 * Jobs whose template the next deploy changes (job-template-rules.ts, with a second render:
 * second-deploy.ts), secrets in env only where needed (secret-env-rules.ts), who may start
 * retrain Jobs (launcher-rules.ts), MinIO's bucket lifecycle (minio-lifecycle-rules.ts), External
 * Secrets Operator's objects against its pinned CRD schema and the keys the workloads read
 * (external-secrets-rules.ts).
 * Exits 1 naming each problem. Works offline: no API server is needed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { deployProblems } from './k8s/deploy-rules.ts';
import {
  externalSecretsProblems,
  externalSecretsSchemaProblems,
  isExternalSecretsObject,
} from './k8s/external-secrets-rules.ts';
import { jobNameProblems, jobTemplateProblems } from './k8s/job-template-rules.ts';
import { knativeProblems } from './k8s/knative-rules.ts';
import { launcherProblems } from './k8s/launcher-rules.ts';
import { lifecycleProblems } from './k8s/minio-lifecycle-rules.ts';
import { networkPolicyProblems } from './k8s/network-policy-rules.ts';
import { podSecurityProblems } from './k8s/pod-security-rules.ts';
import { NEXT_TAG, withNextTag } from './k8s/second-deploy.ts';
import { secretEnvProblems } from './k8s/secret-env-rules.ts';
import { tagResolutionProblems } from './k8s/tag-resolution-rules.ts';

const require = createRequire(import.meta.url);
const KNATIVE_GROUPS = ['serving.knative.dev', 'eventing.knative.dev', 'sources.knative.dev', 'messaging.knative.dev'];
/** Keys under these hold user-chosen names, not schema properties. */
const FREE_FORM = new Set([
  'labels',
  'annotations',
  'data',
  'stringData',
  'binaryData',
  'matchLabels',
  'nodeSelector',
  'limits',
  'requests',
  'selector',
  'capacity',
  'hard',
]);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [key: string]: unknown;
}

function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (KNATIVE_GROUPS.includes(group)) return `@kubernetes-models/knative/${group}/${version}/${kind}`;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

const knownCache = new Map<string, Set<string>>();

/**
 * Fields the cluster accepts that the models' schemas predate: Knative Serving takes startupProbe
 * on a Service's containers since 1.15 (the walkthrough installs 1.15.2); @kubernetes-models/knative
 * 2.x was generated before. Its fields are a core Probe's, which the schemas already know.
 */
const NEWER_THAN_THE_SCHEMAS: Record<string, string[]> = {
  '@kubernetes-models/knative/serving.knative.dev/': ['startupProbe'],
};

/** Every property name the compiled schemas of a model (and the schemas they use) test. */
function knownProperties(module: string): Set<string> {
  const cached = knownCache.get(module);
  if (cached) return cached;
  const names = new Set<string>(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/data\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
    for (const m of source.matchAll(/data\["([^"]+)"\]/g)) names.add(m[1]);
    for (const m of source.matchAll(/require\("([^"]*_schemas[^"]*|\.\/[^"]+)"\)/g)) {
      try {
        visit(require.resolve(m[1].startsWith('.') ? join(dirname(file), m[1]) : m[1]));
      } catch {
        // not a schema module
      }
    }
  };
  visit(require.resolve(module));
  names.delete('length');
  for (const [prefix, fields] of Object.entries(NEWER_THAN_THE_SCHEMAS))
    if (module.startsWith(prefix)) fields.forEach((f) => names.add(f));
  knownCache.set(module, names);
  return names;
}

function unknownFields(value: unknown, known: Set<string>, path: string, out: string[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => unknownFields(v, known, `${path}[${i}]`, out));
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (!known.has(key)) out.push(`${path}.${key}`);
    else if (!FREE_FORM.has(key)) unknownFields(child, known, `${path}.${key}`, out);
  }
}

export async function checkObject(object: K8sObject): Promise<string[]> {
  // No kubernetes-models package for ESO's CRDs: its own schema, trimmed from the pinned tag.
  if (isExternalSecretsObject(object)) return externalSecretsSchemaProblems(object);
  const name = `${object.kind}/${object.metadata?.name ?? '?'}`;
  const module = modelModule(object.apiVersion, object.kind);
  let Model: new (data: unknown) => { validate(): void };
  try {
    const loaded = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
    Model = loaded[object.kind] ?? loaded.default;
  } catch {
    return [`${name}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (err) {
    problems.push(`${name}: ${(err as Error).message.split('\n').slice(0, 6).join('; ')}`);
  }
  const unknown: string[] = [];
  unknownFields(object, knownProperties(module), '', unknown);
  for (const path of unknown) problems.push(`${name}: unknown field ${path.slice(1)}`);
  return problems;
}

function render(dir: string): K8sObject[] {
  const rendered = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(rendered)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

const failure = (err: unknown): string => ((err as { stderr?: string }).stderr ?? String(err)).trim();

/** The rules that read one render. */
export function ruleProblems(objects: K8sObject[]): string[] {
  return [
    ...deployProblems(objects),
    ...knativeProblems(objects),
    ...tagResolutionProblems(objects),
    ...networkPolicyProblems(objects),
    ...launcherProblems(objects),
    ...podSecurityProblems(objects),
    ...secretEnvProblems(objects),
    ...jobNameProblems(objects),
    ...lifecycleProblems(objects),
    ...externalSecretsProblems(objects),
  ];
}

export async function checkOverlay(dir: string): Promise<{ objects: number; problems: string[] }> {
  let objects: K8sObject[];
  try {
    objects = render(dir);
  } catch (err) {
    return { objects: 0, problems: [`${dir}: kubectl kustomize failed: ${failure(err)}`] };
  }
  let next: string[];
  try {
    next = jobTemplateProblems(
      objects,
      withNextTag(dir, NEXT_TAG, render),
      `a deploy with another image tag (${NEXT_TAG})`,
    );
  } catch (err) {
    next = [`the next deploy (images retagged ${NEXT_TAG}) does not render: ${failure(err)}`];
  }
  const problems = [...(await Promise.all(objects.map(checkObject))).flat(), ...ruleProblems(objects), ...next].map(
    (p) => `${dir}: ${p}`,
  );
  return { objects: objects.length, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync('k8s-fallback/overlays')
        .sort()
        .map((o) => join('k8s-fallback/overlays', o));
  let failed = false;
  for (const dir of dirs) {
    const { objects, problems } = await checkOverlay(dir);
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.stdout.write(
      `${dir}: ${objects} objects, ${problems.length ? `${problems.length} problem(s)` : 'valid'}\n`,
    );
    failed ||= problems.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}

/**
 * The registry as something to browse: each version's summary (when and by whom it was
 * registered, what it is, its cross-validated metrics, what data it learned from, which
 * aliases point at it) and its full record (manifest, metrics with the confusion matrix and the
 * candidates table, parameters, its contract). Only the small JSON files are read, each checked against the
 * manifest's sha256; the ensemble is verified where it is loaded to serve.
 */
import { z } from 'zod';
import {
  artifactManifestSchema,
  dataFingerprintSchema,
  MANIFEST_FILE,
  sha256,
  type ArtifactManifest,
  type DataFingerprint,
} from '../artifact/model-bundle.ts';
import {
  storedCvScoresSchema,
  storedMetricsSchema,
  storedParamsSchema,
  type StoredMetrics,
  type StoredParams,
} from '../artifact/stored-metrics.ts';
import { mapLimit } from '../util/map-limit.ts';
import { modelContractSchema } from './model-contract.ts';
import { RegistryError, versionCreatedAt, type ModelRegistry, type Registration } from './model-registry.ts';
import { pageOfIds, type Page, type PageRequest } from './pagination.ts';

export const versionSummarySchema = z.object({
  version: z.string(),
  createdAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  source: z.string().nullable(),
  classifier: z.string(),
  sampler: z.string(),
  /** What the summary quotes of metrics.json (the training pipeline writes more: see the detail). */
  cv: storedCvScoresSchema.nullable(),
  data: dataFingerprintSchema.nullable(),
  aliases: z.array(z.string()),
  /** Why the version's record could not be read (a corrupt or missing file); the rest of the list still shows. */
  problem: z.string().optional(),
});
export type VersionSummary = z.output<typeof versionSummarySchema>;

export const versionDetailSchema = versionSummarySchema.extend({
  manifest: artifactManifestSchema,
  registration: z.unknown().nullable(),
  metrics: z.unknown(),
  params: z.unknown(),
  classes: z.array(z.string()),
  /** What the version takes and answers (docs/model-contract.md); null when it cannot be read. */
  contract: modelContractSchema.nullable(),
});
export type VersionDetail = z.output<typeof versionDetailSchema>;

/** Versions newest first, a page at a time, each with the aliases that point at it. */
export async function listVersionSummaries(
  registry: ModelRegistry,
  name: string,
  page: PageRequest,
): Promise<Page<VersionSummary>> {
  const [versions, aliases] = await Promise.all([registry.listVersions(name), aliasesByVersion(registry, name)]);
  const ids = pageOfIds(versions, page);
  const items = await mapLimit(ids.items, 8, async (version): Promise<VersionSummary> => {
    try {
      return summaryOf(await readVersionJson(registry, name, version), aliases.get(version) ?? []);
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err; // storage trouble fails the request, as everywhere
      return {
        version,
        createdAt: null,
        createdBy: null,
        source: null,
        classifier: 'unknown',
        sampler: 'unknown',
        cv: null,
        data: null,
        aliases: aliases.get(version) ?? [],
        problem: err.message,
      };
    }
  });
  return { items, next: ids.next };
}

/** One version's full record; a RegistryError 'not_found' when it is absent or incomplete. */
export async function versionDetail(registry: ModelRegistry, name: string, version: string): Promise<VersionDetail> {
  const [files, aliases, contract] = await Promise.all([
    readVersionJson(registry, name, version),
    aliasesByVersion(registry, name),
    registry.versionContract(name, version),
  ]);
  return {
    ...summaryOf(files, aliases.get(version) ?? []),
    manifest: files.manifest,
    registration: files.registration,
    metrics: files.metrics,
    params: files.params,
    classes: files.manifest.classes,
    contract,
  };
}

interface VersionJson {
  version: string;
  manifest: ArtifactManifest;
  registration: Registration | null;
  metrics: StoredMetrics | null;
  params: StoredParams | null;
  data: DataFingerprint | null;
}

async function readVersionJson(registry: ModelRegistry, name: string, version: string): Promise<VersionJson> {
  const manifestObject = await registry.versionObject(name, version, MANIFEST_FILE);
  if (!manifestObject) throw new RegistryError(`model ${name} has no complete version ${version}`, 'not_found');
  const manifest = parseJson(manifestObject.bytes, artifactManifestSchema, `${version}/${MANIFEST_FILE}`);
  const read = async <T>(file: string, schema: z.ZodType<T>): Promise<T | null> => {
    const entry = manifest.files[file];
    const object = entry ? await registry.versionObject(name, version, file) : null;
    if (!entry || !object) return null;
    if (sha256(object.bytes) !== entry.sha256)
      throw new RegistryError(`version ${version}: ${file} fails its sha256 check`, 'invalid');
    return parseJson(object.bytes, schema, `${version}/${file}`);
  };
  const [registration, metrics, params, data] = await Promise.all([
    registry.registration(name, version).catch(() => null),
    read('metrics.json', storedMetricsSchema),
    read('params.json', storedParamsSchema),
    read('data.json', z.unknown()),
  ]);
  const fingerprint = dataFingerprintSchema.safeParse(data);
  return { version, manifest, registration, metrics, params, data: fingerprint.success ? fingerprint.data : null };
}

function summaryOf(files: VersionJson, aliases: string[]): VersionSummary {
  const createdAt =
    files.registration?.createdAt ??
    (versionCreatedAt(files.version) !== null ? new Date(versionCreatedAt(files.version)!).toISOString() : null);
  return {
    version: files.version,
    createdAt,
    createdBy: files.registration?.createdBy ?? null,
    source: files.registration?.source ?? null,
    classifier: files.manifest.classifier,
    sampler: files.manifest.sampler,
    cv: files.metrics?.cv ?? null,
    data: files.data,
    aliases,
  };
}

async function aliasesByVersion(registry: ModelRegistry, name: string): Promise<Map<string, string[]>> {
  const byVersion = new Map<string, string[]>();
  for (const doc of await registry.listAliases(name))
    byVersion.set(doc.version, [...(byVersion.get(doc.version) ?? []), doc.alias].sort());
  return byVersion;
}

function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RegistryError(`${what} is not valid JSON`, 'invalid');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RegistryError(`${what}: ${parsed.error.issues[0]?.message}`, 'invalid');
  return parsed.data;
}

/**
 * What the CLIs do with the registry: register an artifact as a new version (checked before,
 * verified after, no alias moved) and load a model named `registry:ALIAS` or `registry:VERSION`.
 */
import { userInfo } from 'node:os';
import { filesToBundle, MANIFEST_FILE, type ModelBundle } from '../../lib/artifact/model-bundle.ts';
import { DEFAULT_MODEL_NAME } from '../../lib/data/spec.ts';
import type { Registration } from '../../lib/registry/model-registry.ts';
import { openRegistry } from './registry-target.ts';
import { UsageError } from './args.ts';
import { modelNameOf } from './model-name.ts';

export const REGISTRY_PREFIX = 'registry:';

/** The model `predict --model registry:REF` reads: MODEL_NAME, else the service's default. */
export function registryModelName(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODEL_NAME ?? DEFAULT_MODEL_NAME;
}

/**
 * Publishes `files` (a complete artifact) as a new version of the model its spec names, or of
 * `name` (--name) when given; answers its registration.
 */
export async function registerArtifact(
  files: Map<string, Uint8Array>,
  meta: { name?: string; source: string; reason?: string },
): Promise<Registration & { where: string }> {
  if (!files.has(MANIFEST_FILE)) throw new UsageError(`${meta.source}: not a model artifact (no ${MANIFEST_FILE})`);
  // Refuses anything training would not have written, before a byte is uploaded.
  const { bundle } = filesToBundle(files);
  const name = modelNameOf(meta.name, bundle.spec.name, meta.source);
  const target = await openRegistry();
  try {
    const registration = await target.registry.publish(name, files, {
      createdBy: `cli (${userInfo().username})`,
      source: meta.source,
      ...(meta.reason ? { reason: meta.reason } : {}),
    });
    // Read back and verified as a serving container would load it.
    await target.registry.verifyVersion(name, registration.version);
    return { ...registration, where: target.description };
  } finally {
    await target.close();
  }
}

/** The bundle `registry:REF` names: REF is an alias of the model (champion...) or one of its versions. */
export async function loadRegistryModel(ref: string): Promise<{ bundle: ModelBundle; version: string; where: string }> {
  const wanted = ref.slice(REGISTRY_PREFIX.length);
  if (!wanted)
    throw new UsageError(
      `--model ${ref}: name an alias or a version after "${REGISTRY_PREFIX}" (e.g. registry:champion)`,
    );
  const name = registryModelName();
  const target = await openRegistry();
  try {
    const alias = await target.registry.getAlias(name, wanted).catch(() => null);
    const version = alias?.version ?? wanted;
    const loaded = await target.registry.verifyVersion(name, version);
    return { bundle: loaded.bundle, version, where: target.description };
  } finally {
    await target.close();
  }
}

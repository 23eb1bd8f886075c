/** An artifact as a local directory: one file per bundle file. */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ArtifactError,
  filesToBundle,
  MANIFEST_FILE,
  type ArtifactManifest,
  type ModelBundle,
} from './model-bundle.ts';

/**
 * Writes into a temporary sibling directory and renames it into place, so a crash never
 * leaves a half-written artifact where a complete one is expected.
 */
export async function writeArtifactDirectory(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(staging, name), bytes);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
}

export async function readArtifactDirectory(dir: string): Promise<{ bundle: ModelBundle; manifest: ArtifactManifest }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new ArtifactError(
      `${dir}: cannot read model directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  if (!names.includes(MANIFEST_FILE)) throw new ArtifactError(`${dir}: no ${MANIFEST_FILE}, not a model artifact`);
  const files = new Map<string, Uint8Array>();
  for (const name of names) files.set(name, new Uint8Array(await readFile(join(dir, name))));
  try {
    return filesToBundle(files);
  } catch (err) {
    if (err instanceof ArtifactError) throw new ArtifactError(`${dir}: ${err.message}`);
    throw err;
  }
}

/**
 * Output paths checked before the long work that fills them: learning after minutes of training
 * that `--out` sits under a file, or in a folder nobody may write, is the worst moment to learn it.
 * A path whose folders do not exist yet is fine as long as the nearest existing one is writable.
 */
import { accessSync, constants, readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MANIFEST_FILE } from '../../lib/artifact/model-bundle.ts';
import { UsageError } from './args.ts';

/** A file the command will write (replacing it if it exists). */
export function checkOutputFile(path: string, option: string): void {
  const existing = statOrNull(path);
  if (existing?.isDirectory()) throw new UsageError(`--${option} ${path}: is a directory`);
  checkCreatable(path, option);
}

/**
 * A model artifact directory the command will write: it is replaced whole, so an existing
 * directory must be an artifact already (never a folder of other things) or empty.
 */
export function checkArtifactDirectory(path: string, option: string): void {
  const existing = statOrNull(path);
  if (existing && !existing.isDirectory()) throw new UsageError(`--${option} ${path}: is a file, not a directory`);
  if (existing) {
    const names = readdirSync(path);
    if (names.length && !names.includes(MANIFEST_FILE)) {
      throw new UsageError(
        `--${option} ${path}: exists and is not a model artifact (no ${MANIFEST_FILE}); it would be replaced whole, choose another directory`,
      );
    }
  }
  checkCreatable(path, option);
}

/** The nearest existing folder above `path` must be a folder this process may write in. */
function checkCreatable(path: string, option: string): void {
  let ancestor = dirname(resolve(path));
  let stats = statOrNull(ancestor);
  for (let depth = 0; !stats && depth < 4096 && dirname(ancestor) !== ancestor; depth++) {
    ancestor = dirname(ancestor);
    stats = statOrNull(ancestor);
  }
  if (stats && !stats.isDirectory())
    throw new UsageError(`--${option} ${path}: ${ancestor} is a file, not a directory`);
  try {
    accessSync(ancestor, constants.W_OK);
  } catch {
    throw new UsageError(`--${option} ${path}: ${ancestor} is not writable`);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a file stands where a folder of the path should be; the walk up finds it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`${path}: cannot be checked (${code ?? String(err)})`);
  }
}

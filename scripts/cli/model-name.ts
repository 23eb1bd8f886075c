/**
 * The model name a command files a model under: `--name` when given, else the name its dataset
 * spec carries (which defaults to DEFAULT_MODEL_NAME when the spec has none). Either must be a
 * registry name (NAME_PATTERN: registry keys are built from it, lib/state/layout.ts).
 */
import { NAME_PATTERN } from '../../lib/state/layout.ts';
import { UsageError } from './usage-error.ts';

/** The help line of every command's `--name` option. */
export const NAME_HELP = {
  value: 'NAME',
  text: 'the model\'s name in the registry (default: the spec\'s "name", else credit-score)',
};

/** `--name`'s value, checked; undefined when not given. */
export function nameOption(option: string | undefined): string | undefined {
  if (option !== undefined && !NAME_PATTERN.test(option))
    throw new UsageError(
      `--name must be a letter or digit, then letters, digits, ".", "_", "-" (at most 64), got "${option}"`,
    );
  return option;
}

export function modelNameOf(option: string | undefined, specName: string, where: string): string {
  const given = nameOption(option);
  if (given !== undefined) return given;
  if (!NAME_PATTERN.test(specName))
    throw new UsageError(
      `${where}: the spec's name "${specName}" is not a registry name (letters, digits, ".", "_", "-", at most 64): pass --name`,
    );
  return specName;
}

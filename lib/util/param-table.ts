/**
 * An estimator's declared parameters (lib/util/param-spec.ts) as a Markdown table: name, default,
 * valid values, what tuning does and what the parameter does. docs/parameters.md holds one per
 * estimator, and test/param-specs.test.ts fails when a table there differs from its declaration.
 */
import { acceptedValues, formatValue, type ParamSearch, type ParamSpec, type ParamSpecs } from './param-spec.ts';

/** "log-uniform in [0.02, 0.3]", "one of 3, 4, 5", "set to 400", or "" when not searched. */
export function searchedText(spec: ParamSpec<unknown>): string {
  const search: ParamSearch<unknown> | undefined = spec.search;
  if (!search) return '';
  if ('pick' in search) return `one of ${search.pick.map(formatValue).join(', ')}`;
  if ('fixed' in search) return `set to ${formatValue(search.fixed)}`;
  const kind = spec.range?.integer ? 'integers' : 'numbers';
  const scale = search.scale === 'log' ? ', evenly in the logarithm' : '';
  return `${kind} in [${formatValue(search.low)}, ${formatValue(search.high)}]${scale}`;
}

// A pipe inside a cell would end it.
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function paramTable<P>(specs: ParamSpecs<P>): string {
  const lines = ['| parameter | default | accepts | tuning | what it does |', '| --- | --- | --- | --- | --- |'];
  for (const name of Object.keys(specs) as (keyof P & string)[]) {
    const spec = specs[name] as ParamSpec<unknown>;
    const cells = [
      `\`${name}\``,
      formatValue(spec.default),
      acceptedValues(spec),
      searchedText(spec),
      spec.description,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

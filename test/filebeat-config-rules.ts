/**
 * Filebeat's own rules for the parts of filebeat.yml that decide whether the service's lines
 * arrive as they were written (we cannot run Filebeat here):
 *  - the ndjson parser takes only the options of its config struct (elastic/beats,
 *    libbeat/reader/readjson/json_config.go: Config and ParserConfig); an unknown key is ignored
 *    silently, so a misspelt option is simply not in force;
 *  - only with overwrite_keys does the line's own @timestamp replace the time Filebeat read it
 *    (libbeat/common/jsontransform/jsonhelper.go removes @timestamp from the keys otherwise),
 *    and only target "" (or none) puts the line's fields at the event's root, where ECS has them;
 *  - a file under /var/log/containers is the runtime's wrapping of a line (CRI "<time> <stream>
 *    F <line>", or Docker's JSON): the container parser must unwrap it before ndjson decodes it
 *    (filestream reference, "parsers": parsers run in the order given);
 *  - each filestream input has an id, unique: it keys the input's offsets in the registry
 *    (filestream reference: without one, files are read again after a restart);
 *  - a custom output.elasticsearch.index needs setup.template.name and setup.template.pattern,
 *    or template loading off (Filebeat reference 8.x/9.x, "Change the index name").
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const NDJSON_OPTIONS = [
  'message_key',
  'document_id',
  'keys_under_root',
  'overwrite_keys',
  'add_error_key',
  'ignore_decoding_error',
  'expand_keys',
  'field',
  'target',
];

interface Input {
  type: string;
  id?: string;
  paths?: string[];
  parsers?: Record<string, Record<string, unknown> | null>[];
}

export interface FilebeatConfig {
  'filebeat.inputs'?: Input[];
  'output.elasticsearch'?: { index?: string };
  'setup.template.enabled'?: boolean;
  'setup.template.name'?: string;
  'setup.template.pattern'?: string;
}

export const readFilebeatConfig = (file: string): FilebeatConfig => parse(readFileSync(file, 'utf8')) as FilebeatConfig;

export function filebeatConfigProblems(config: FilebeatConfig): string[] {
  const problems: string[] = [];
  const inputs = config['filebeat.inputs'] ?? [];
  if (inputs.length === 0) problems.push('no filebeat.inputs');
  const ids = new Set<string>();
  for (const [i, input] of inputs.entries()) {
    const name = `input ${input.id ?? i}`;
    if (input.type === 'filestream') {
      if (!input.id) problems.push(`${name}: a filestream input needs an id`);
      else if (ids.has(input.id)) problems.push(`${name}: its id is not unique`);
      if (input.id) ids.add(input.id);
    }
    const parsers = (input.parsers ?? []).map((p) => Object.keys(p)[0]);
    const ndjsonAt = parsers.indexOf('ndjson');
    if (ndjsonAt < 0) {
      problems.push(`${name}: no ndjson parser: the service's JSON lines would arrive as one message string`);
      continue;
    }
    const containerAt = parsers.indexOf('container');
    if (
      (input.paths ?? []).some((p) => p.startsWith('/var/log/containers/')) &&
      (containerAt < 0 || containerAt > ndjsonAt)
    ) {
      problems.push(
        `${name}: reads container logs without the container parser before ndjson: the JSON is still wrapped in the runtime's line`,
      );
    }
    const ndjson = input.parsers![ndjsonAt].ndjson ?? {};
    for (const key of Object.keys(ndjson))
      if (!NDJSON_OPTIONS.includes(key)) problems.push(`${name}: ndjson has no option "${key}" (it would be ignored)`);
    if (ndjson.overwrite_keys !== true)
      problems.push(
        `${name}: ndjson without overwrite_keys: the line's @timestamp is dropped for the time Filebeat read it`,
      );
    if (ndjson.target !== undefined && ndjson.target !== '')
      problems.push(`${name}: ndjson target "${String(ndjson.target)}" puts the ECS fields under it, not at the root`);
  }
  const index = config['output.elasticsearch']?.index;
  if (
    index &&
    config['setup.template.enabled'] !== false &&
    !(config['setup.template.name'] && config['setup.template.pattern'])
  ) {
    problems.push(
      `output.elasticsearch.index is ${index}: set setup.template.name and setup.template.pattern, or setup.template.enabled: false`,
    );
  }
  return problems;
}

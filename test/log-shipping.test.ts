/**
 * Log shipping: the service's own log lines (written by the running service, not made up here)
 * pass what Filebeat's ndjson parser and the Elasticsearch template do to them, the template
 * agrees with ECS 8.10.0 and with Elasticsearch's data stream rules, and filebeat.yml with
 * Filebeat's. Each rule refuses a fixture under test/fixtures/elk/. What is not checked (no
 * Filebeat or Elasticsearch here): test/log-shipping-rules.ts says.
 */
import type { Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { filebeatConfigProblems, readFilebeatConfig } from './filebeat-config-rules.ts';
import { tempDir } from './helpers.ts';
import {
  dataStreamProblems,
  ecsProblems,
  expandKeys,
  filebeatProblems,
  leaves,
  mappingProblems,
  readEcs,
  readLines,
  readTemplate,
} from './log-shipping-rules.ts';
import { describeWithPrograms, KUBECTL } from './programs.ts';
import { startServingS3 } from './s3.ts';

const TEMPLATE = 'observability/elk/credit-score-index-template.json';
const FILEBEAT = 'observability/filebeat/filebeat.yml';
const fixture = (name: string): string => join('test/fixtures/elk', name);
const template = readTemplate(TEMPLATE);
const ecs = readEcs();
const shippedTo = readFilebeatConfig(FILEBEAT)['output.elasticsearch']!.index!;

/** Every problem a line meets between the service and the index. */
const lineProblems = (line: Record<string, never>, mappings = template.template.mappings): string[] => {
  const problems = filebeatProblems(line);
  return problems.length ? problems : mappingProblems(expandKeys(line).doc, mappings);
};

describe("the service's own log lines", () => {
  let s3: EmbeddedS3;
  let server: Server;
  let url: string;
  let logFile: string;

  beforeAll(async () => {
    const started = await startServingS3();
    s3 = started.s3;
    logFile = join(tempDir('log-shipping'), 'service.log');
    Object.assign(process.env, started.env, { LOG_LEVEL: 'info', LOG_FILE: logFile });
    resetService();
    server = createAdapter();
    url = await listen(server, { port: 0 });
    const record = Object.fromEntries(
      readFileSync('data/credit_score_customers_raw.csv', 'utf8')
        .split('\n')[0]
        .split(',')
        .map((h) => [h, null]),
    );
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/predict', record)).status).toBe(200);
    expect((await post('/predict', { ...record, Age: 'old' })).status).toBe(422);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/model/info`)).status).toBe(200);
    expect((await post('/model/retrain', {})).status).toBe(401);
  });

  afterAll(async () => {
    resetService();
    await new Promise((r) => server.close(r));
    await s3.close();
  });

  it("meet Filebeat's parser rules and the template's mappings: each field mapped, with a type that takes it", () => {
    const lines = readLines(logFile);
    const loggers = new Set(lines.map((l) => l['log.logger']));
    expect(loggers).toEqual(new Set(['access', 'model'])); // the model-loaded line too, not only access lines
    expect(lines.some((l) => Array.isArray(l['error.fields']))).toBe(true);
    for (const line of lines) expect(lineProblems(line as Record<string, never>), JSON.stringify(line)).toEqual([]);
  });
});

describe('lines the checks refuse', () => {
  it("a field that is a value in one line and an object in another (the service's lines before this change)", () => {
    const [modelLine, accessLine] = readLines(fixture('lines-model-string-and-object.ndjson'));
    expect(lineProblems(accessLine as Record<string, never>)).toEqual([]);
    expect(lineProblems(modelLine as Record<string, never>)).toEqual(
      expect.arrayContaining(['model: "credit-score" is a value where the template maps an object']),
    );
  });

  it("a key that is both a value and an object in one line (Filebeat's expand_keys)", () => {
    const [line] = readLines(fixture('line-key-conflict.ndjson'));
    expect(filebeatProblems(line)).toEqual([
      expect.stringMatching(
        /cannot expand "model.version": "model" is both a value and an object.*drops the line's fields/,
      ),
    ]);
  });

  it('an @timestamp that is not a string (Filebeat keeps the read time)', () => {
    const [line] = readLines(fixture('line-epoch-timestamp.ndjson'));
    expect(filebeatProblems(line)).toEqual([expect.stringMatching(/@timestamp is not a string/)]);
  });

  it('an object where a value is mapped and a word where a number is', () => {
    const [line] = readLines(fixture('line-route-object.ndjson'));
    expect(lineProblems(line as Record<string, never>)).toEqual([
      'route: an object where the template maps keyword',
      'http.response.status_code: "two hundred" is not a number (long)',
    ]);
  });
});

describe('the index template', () => {
  it('maps ECS fields as ECS 8.10.0 types them, and no custom field collides with one', () => {
    expect(ecs.version).toBe('8.10.0');
    expect(ecsProblems(template.template.mappings, ecs)).toEqual([]);
  });

  it('is a data stream template that wins for the index Filebeat writes', () => {
    expect(shippedTo).toBe('logs-credit_score-default');
    expect(dataStreamProblems(template, shippedTo)).toEqual([]);
  });

  it('refuses an ECS field of another type and a custom field under an ECS value', () => {
    expect(ecsProblems(readTemplate(fixture('template-status-code-short.json')).template.mappings, ecs)).toEqual([
      'http.response.status_code is short; ECS 8.10.0 defines it as long',
    ]);
    expect(ecsProblems(readTemplate(fixture('template-url-path-object.json')).template.mappings, ecs)).toEqual([
      'url.path.depth makes an object of url.path, which ECS 8.10.0 defines as wildcard',
    ]);
  });

  it('refuses a template the built-in logs template outranks, and one without data_stream', () => {
    expect(dataStreamProblems(readTemplate(fixture('template-priority-100.json')), shippedTo)).toEqual([
      expect.stringMatching(/matches the built-in logs-\*-\* template/),
    ]);
    expect(dataStreamProblems(readTemplate(fixture('template-no-data-stream.json')), shippedTo)).toEqual([
      expect.stringMatching(/does not declare data_stream/),
    ]);
  });
});

describe('filebeat.yml', () => {
  it("meets Filebeat's rules on parsers, input ids and template setup", () => {
    expect(filebeatConfigProblems(readFilebeatConfig(FILEBEAT))).toEqual([]);
  });

  it.each([
    ['filebeat-no-overwrite-keys.yml', /without overwrite_keys/],
    ['filebeat-misspelt-option.yml', /no option "overwrite_key"/],
    ['filebeat-ndjson-before-container.yml', /without the container parser before ndjson/],
    ['filebeat-input-without-id.yml', /needs an id/],
    ['filebeat-index-without-template-setup.yml', /setup.template.name/],
  ])('refuses %s', (name, problem) => {
    const problems = filebeatConfigProblems(readFilebeatConfig(fixture(name)));
    // The misspelt option also leaves overwrite_keys off: both are said.
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('; '),
    ).toBe(true);
    if (name !== 'filebeat-misspelt-option.yml') expect(problems).toHaveLength(1);
  });
});

describe('Kibana saved objects', () => {
  const objects = readFileSync('observability/elk/kibana-dashboard.ndjson', 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { type: string; attributes: { title: string; columns?: string[]; visState?: string } },
    );

  it('read the data stream Filebeat writes', () => {
    const pattern = objects.find((o) => o.type === 'index-pattern')!.attributes.title;
    expect(template.index_patterns).toContain(pattern);
  });

  it('show mapped fields and aggregate only on fields Elasticsearch can aggregate (not text)', () => {
    const types = new Map(leaves(template.template.mappings).map((l) => [l.field, l.type]));
    const columns = objects.flatMap((o) => o.attributes.columns ?? []);
    const aggregated = objects.flatMap((o) =>
      o.attributes.visState
        ? (JSON.parse(o.attributes.visState) as { aggs: { params?: { field?: string } }[] }).aggs.flatMap((a) =>
            a.params?.field ? [a.params.field] : [],
          )
        : [],
    );
    expect(columns.length).toBeGreaterThan(5);
    expect(aggregated.length).toBeGreaterThan(3);
    for (const field of columns) expect(types.has(field), field).toBe(true);
    for (const field of aggregated)
      expect(['keyword', 'long', 'double', 'date', 'boolean'], field).toContain(types.get(field));
  });
});

describeWithPrograms([KUBECTL], 'Filebeat on Kubernetes', () => {
  it('renders a DaemonSet whose ConfigMap holds filebeat.yml as it is', async () => {
    const rendered = execFileSync('kubectl', ['kustomize', 'observability/filebeat'], { encoding: 'utf8' });
    const objects = parseAllDocuments(rendered).map(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests
      (d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: any },
    );
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'DaemonSet',
      'ServiceAccount',
    ]);
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(configMap.data!['filebeat.yml']).toBe(readFileSync(FILEBEAT, 'utf8'));
    const daemonSet = objects.find((o) => o.kind === 'DaemonSet')!;
    expect(daemonSet.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config').configMap.name).toBe(
      configMap.metadata.name,
    );
    const { DaemonSet } = await import('kubernetes-models/apps/v1/DaemonSet');
    expect(() => new DaemonSet(daemonSet as never).validate()).not.toThrow();
  });
});

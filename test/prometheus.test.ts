/**
 * Prometheus, for real (Debian's prometheus package; .ci/run installs it): the rules pass
 * `promtool check rules` and their unit tests, the live /metrics output passes
 * `promtool check metrics`, and a Prometheus server scrapes the running service.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { ServiceMetrics } from '../lib/observability/metrics.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { freePort, tempDir, until } from './helpers.ts';
import { describeWithPrograms, PROMETHEUS, PROMTOOL } from './programs.ts';
import { startServingS3 } from './s3.ts';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}

const rules = (
  parse(readFileSync('observability/prometheus/rules.yml', 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const ruleTests = parse(readFileSync('observability/prometheus/rules.test.yml', 'utf8')) as {
  tests: {
    promql_expr_test?: { expr: string; exp_samples: unknown[] }[];
    alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
  }[];
};

describe('Prometheus rules read what the api exports', () => {
  it('name only series of the api (whose scrape is up) or of other rules', async () => {
    const exported = new Set(
      (await new ServiceMetrics({ service: 's', stage: 't' }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const rule of rules) {
      // Every metric of the project is named credit_score_* (lib/observability/metrics.ts), every recording credit_score:*.
      const series = rule.expr.replace(/\{[^}]*\}/g, '').match(/\b(?:credit_score[_:][a-zA-Z0-9_:]*|up)\b/g) ?? [];
      expect(series.length, rule.alert ?? rule.record).toBeGreaterThan(0);
      for (const name of series) {
        const ok = name === 'up' || recorded.has(name) || exported.has(name.replace(/_(bucket|sum|count)$/, ''));
        expect(ok, `${rule.alert ?? rule.record} reads ${name}`).toBe(true);
      }
    }
  });

  it('have a promtool test case each: an alert firing, a recording its value', () => {
    const firing = new Set(
      ruleTests.tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .filter((a) => a.exp_alerts.length > 0)
        .map((a) => a.alertname),
    );
    const evaluated = ruleTests.tests
      .flatMap((t) => t.promql_expr_test ?? [])
      .filter((e) => e.exp_samples.length > 0)
      .map((e) => e.expr);
    for (const rule of rules) {
      if (rule.alert) expect(firing.has(rule.alert), rule.alert).toBe(true);
      if (rule.record)
        expect(
          evaluated.some((e) => e.startsWith(rule.record!)),
          rule.record,
        ).toBe(true);
    }
  });
});

type Sample = { metric: Record<string, string>; value: [number, string] };

/** A real Prometheus with `config`, for as long as `body` runs; `query` asks its HTTP API. */
async function withPrometheus(
  config: object,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
  body: (query: (q: string) => Promise<Sample[]>, api: (path: string) => Promise<any>) => Promise<void>,
): Promise<void> {
  const dir = tempDir('prometheus');
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
    const api = async (path: string): Promise<any> =>
      (await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, { signal: AbortSignal.timeout(2000) })).json())
        .data;
    await body(async (q) => (await api(`query?query=${encodeURIComponent(q)}`)).result as Sample[], api);
  } finally {
    prometheus.kill('SIGTERM');
  }
}

describeWithPrograms([PROMTOOL, PROMETHEUS], 'Prometheus rules and metrics', () => {
  let s3: EmbeddedS3;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const started = await startServingS3();
    s3 = started.s3;
    Object.assign(process.env, started.env);
    resetService();
    server = createAdapter();
    url = await listen(server, { port: 0 });
    const record = Object.fromEntries(
      readFileSync('data/credit_score_customers_raw.csv', 'utf8')
        .split('\n')[0]
        .split(',')
        .map((h) => [h, null]),
    );
    for (let i = 0; i < 5; i++)
      await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(record),
      });
    await fetch(`${url}/nope`);
  });

  afterAll(async () => {
    resetService(); // stops the service's background refresh and capture timers
    await new Promise((r) => server.close(r));
    await s3.close();
  });

  describe('rules, metrics and a scrape', () => {
    it('the rules pass promtool check and their unit tests', () => {
      const check = spawnSync('promtool', ['check', 'rules', 'observability/prometheus/rules.yml'], {
        encoding: 'utf8',
      });
      expect(check.stdout + check.stderr).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
      const test = spawnSync('promtool', ['test', 'rules', 'rules.test.yml'], {
        cwd: 'observability/prometheus',
        encoding: 'utf8',
      });
      expect(test.status, test.stdout + test.stderr).toBe(0);
    });

    it('the live /metrics output passes promtool check metrics', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/credit_score_predictions_total\{class="[A-Za-z]+",model="credit-score"/);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    });

    it('a real Prometheus server scrapes the service', async () => {
      await withPrometheus(
        {
          global: { scrape_interval: '1s' },
          scrape_configs: [{ job_name: 'credit-score', static_configs: [{ targets: [new URL(url).host] }] }],
        },
        async (query) => {
          const samples = await until(
            'a scrape',
            async () => {
              const found = await query('credit_score_http_requests_total{route="POST /predict"}');
              return found.length ? found : undefined;
            },
            30_000,
          );
          expect(samples[0]?.metric).toMatchObject({ job: 'credit-score', route: 'POST /predict', status: '200' });
          expect(Number(samples[0].value[1])).toBe(5);
          expect((await query('up{job="credit-score"}'))[0].value[1]).toBe('1');
        },
      );
    });

    /**
     * The cluster's scrape job (prometheus.yml) with its relabeling run by a real Prometheus.
     * Debian's Prometheus is built without Kubernetes discovery, so the targets come from a
     * file, labelled as Kubernetes' pod discovery labels a Knative revision pod (Prometheus'
     * kubernetes_sd_config reference, role pod: one target per declared container port, with
     * __meta_kubernetes_pod_container_port_name, _annotation_*, _label_*): the api's user-port,
     * queue-proxy's ports on the same pod, and a pod that does not ask to be scraped.
     */
    it("the cluster scrape job keeps only the api's user-port of pods that ask for it, as job credit-score", async () => {
      const cluster = parse(readFileSync('observability/prometheus/prometheus.yml', 'utf8')) as {
        rule_files: string[];
        scrape_configs: Record<string, unknown>[];
      };
      const job = cluster.scrape_configs.find((c) => c.job_name === 'credit-score')!;
      expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['credit-score'] } }]);
      const dir = tempDir('prometheus-sd');
      const pod = {
        __meta_kubernetes_namespace: 'credit-score',
        __meta_kubernetes_pod_name: 'credit-score-api-00001-deployment-7d9f-abcde',
        __meta_kubernetes_pod_label_serving_knative_dev_revision: 'credit-score-api-00001',
        __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
        __meta_kubernetes_pod_annotation_prometheus_io_path: '/metrics',
      };
      const api = new URL(url);
      const spare = async (): Promise<string> => `127.0.0.1:${await freePort()}`;
      writeFileSync(
        join(dir, 'targets.json'),
        JSON.stringify([
          {
            targets: [api.host],
            labels: {
              ...pod,
              __meta_kubernetes_pod_container_name: 'server',
              __meta_kubernetes_pod_container_port_name: 'user-port',
              __meta_kubernetes_pod_container_port_number: api.port,
            },
          },
          {
            targets: [await spare()],
            labels: {
              ...pod,
              __meta_kubernetes_pod_container_name: 'queue-proxy',
              __meta_kubernetes_pod_container_port_name: 'http-usermetric',
            },
          },
          {
            targets: [await spare()],
            labels: {
              ...pod,
              __meta_kubernetes_pod_container_name: 'queue-proxy',
              __meta_kubernetes_pod_container_port_name: 'http-autometric',
            },
          },
          {
            targets: [await spare()],
            labels: {
              __meta_kubernetes_namespace: 'credit-score',
              __meta_kubernetes_pod_name: 'minio-0',
              __meta_kubernetes_pod_container_name: 'minio',
              __meta_kubernetes_pod_container_port_name: 'api',
            },
          },
        ]),
      );
      const { kubernetes_sd_configs: _discovery, ...rest } = job;
      const config = {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: cluster.rule_files.map((f) => join(process.cwd(), 'observability/prometheus', f)),
        scrape_configs: [{ ...rest, file_sd_configs: [{ files: [join(dir, 'targets.json')] }] }],
      };
      await withPrometheus(config, async (query, get) => {
        const up = await until(
          'the discovered target',
          async () => {
            const found = await query('up');
            return found.length ? found : undefined;
          },
          30_000,
        );
        const targets = (await get('targets')) as { activeTargets: unknown[]; droppedTargets: unknown[] };
        expect([targets.activeTargets.length, targets.droppedTargets.length]).toEqual([1, 3]);
        expect(up).toHaveLength(1);
        expect(up[0].metric).toEqual({
          __name__: 'up',
          job: 'credit-score',
          instance: api.host,
          namespace: 'credit-score',
          pod: pod.__meta_kubernetes_pod_name,
          revision: 'credit-score-api-00001',
        });
        expect(up[0].value[1]).toBe('1');
        // The rules loaded beside it see this job: once the api is scraped, no scrape alert stays
        // pending (CreditScoreApiAbsent is, at the evaluation before the first scrape).
        await until(
          'no pending scrape alert',
          async () => ((await query('ALERTS{alertname=~"CreditScoreApi.*"}')).length === 0 ? true : undefined),
          30_000,
        );
        expect(
          (await get('rules')).groups.flatMap((g: { rules: { health: string }[] }) => g.rules.map((r) => r.health)),
        ).toEqual(rules.map(() => 'ok'));
      });
    });
  });
});

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
import { parse } from 'yaml';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { ServiceMetrics } from '../lib/observability/metrics.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { freePort, tempDir } from './helpers.ts';
import { describeWithPrograms, PROMETHEUS, PROMTOOL } from './programs.ts';
import { startServingS3 } from './s3.ts';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}

const rules = (parse(readFileSync('observability/prometheus/rules.yml', 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const ruleTests = parse(readFileSync('observability/prometheus/rules.test.yml', 'utf8')) as {
  tests: { promql_expr_test?: { expr: string; exp_samples: unknown[] }[]; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
};

describe('Prometheus rules read what the api exports', () => {
  it('name only series of the api (whose scrape is up) or of other rules', async () => {
    const exported = new Set((await new ServiceMetrics({ service: 's', stage: 't' }).registry.getMetricsAsJSON()).map((m) => m.name));
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
    const firing = new Set(ruleTests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname));
    const evaluated = ruleTests.tests.flatMap((t) => t.promql_expr_test ?? []).filter((e) => e.exp_samples.length > 0).map((e) => e.expr);
    for (const rule of rules) {
      if (rule.alert) expect(firing.has(rule.alert), rule.alert).toBe(true);
      if (rule.record) expect(evaluated.some((e) => e.startsWith(rule.record!)), rule.record).toBe(true);
    }
  });
});

describeWithPrograms([PROMTOOL, PROMETHEUS], 'Prometheus rules and metrics', () => {
  let s3: EmbeddedS3;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const started = await startServingS3();
    s3 = started.s3;
    Object.assign(process.env, started.env);
    resetService();
    server = createAdapter({ maxBodyBytes: 1_000_000 });
    url = await listen(server, { port: 0 });
    const record = Object.fromEntries(readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',').map((h) => [h, null]));
    for (let i = 0; i < 5; i++) await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record) });
    await fetch(`${url}/nope`);
  });

  afterAll(async () => {
    resetService(); // stops the service's background refresh and capture timers
    await new Promise((r) => server.close(r));
    await s3.close();
  });

  describe('rules, metrics and a scrape', () => {
    it('the rules pass promtool check and their unit tests', () => {
      const check = spawnSync('promtool', ['check', 'rules', 'observability/prometheus/rules.yml'], { encoding: 'utf8' });
      expect(check.stdout + check.stderr).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
      const test = spawnSync('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: 'observability/prometheus', encoding: 'utf8' });
      expect(test.status, test.stdout + test.stderr).toBe(0);
    });

    it('the live /metrics output passes promtool check metrics', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/credit_score_predictions_total\{class="[A-Za-z]+",model="credit-score"/);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    });

    it('a real Prometheus server scrapes the service', async () => {
      const dir = tempDir('prometheus');
      const port = await freePort();
      writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: credit-score\n    static_configs:\n      - targets: ['${new URL(url).host}']\n`);
      const prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
      try {
        const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
          const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(2000) });
          return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
        };
        const deadline = Date.now() + 30_000;
        let samples: Awaited<ReturnType<typeof query>> = [];
        while (Date.now() < deadline) {
          try {
            samples = await query('credit_score_http_requests_total{route="POST /predict"}');
            if (samples.length) break;
          } catch {
            // not up yet
          }
          await new Promise((r) => setTimeout(r, 300));
        }
        expect(samples[0]?.metric).toMatchObject({ job: 'credit-score', route: 'POST /predict', status: '200' });
        expect(Number(samples[0].value[1])).toBe(5);
        expect((await query('up{job="credit-score"}'))[0].value[1]).toBe('1');
      } finally {
        prometheus.kill('SIGTERM');
      }
    });
  });
});

/** The shipped dashboards and ELK files refer to what the service really emits, and parse. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../lib/observability/metrics.ts';
import { tempDir } from './helpers.ts';
import { describeWithPrograms, PROMTOOL } from './programs.ts';

const grafana = JSON.parse(readFileSync('observability/grafana/credit-score-dashboard.json', 'utf8'));
const exprs: string[] = grafana.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));

describe('Grafana dashboard', () => {
  it('queries only metrics the service exports', async () => {
    const names = new Set(
      (await new ServiceMetrics({ service: 's', stage: 't' }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    const used = new Set(
      exprs.flatMap((e) => e.match(/credit_score_[a-z0-9_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(names.has(name), name).toBe(true);
  });
});

describeWithPrograms([PROMTOOL], 'Grafana dashboard PromQL', () => {
  it('has valid PromQL in every panel (checked by promtool as recording rules)', () => {
    const dir = tempDir('grafana');
    const rules = `groups:\n  - name: dashboard\n    rules:\n${exprs.map((e, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(e)}\n`).join('')}`;
    writeFileSync(join(dir, 'rules.yml'), rules);
    const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});

describe('Kibana', () => {
  it('exports saved objects whose references all resolve', () => {
    const objects = readFileSync('observability/elk/kibana-dashboard.ndjson', 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ids = new Set(objects.map((o: { type: string; id: string }) => `${o.type}:${o.id}`));
    for (const o of objects)
      for (const r of o.references) expect(ids.has(`${r.type}:${r.id}`), `${o.id} -> ${r.id}`).toBe(true);
    expect(objects.find((o: { type: string }) => o.type === 'dashboard').references).toHaveLength(4);
  });
});

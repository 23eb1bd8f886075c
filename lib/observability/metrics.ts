/**
 * Prometheus metrics (prom-client) under one naming scheme, `credit_score_*`. One registry per
 * container; GET /metrics serves it where a process lives (serverless-offline, Knative).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly predictions: Counter<'class' | 'model' | 'version' | 'alias' | 'variant'>;
  readonly shadowPredictions: Counter<'model' | 'version' | 'agree'>;
  readonly modelLoadSeconds: Histogram<'model'>;
  readonly modelLoads: Counter<'model' | 'outcome' | 'cold'>;
  readonly modelInfo: Gauge<'model' | 'version' | 'alias'>;
  readonly driftScore: Gauge<'model' | 'feature' | 'measure'>;
  readonly driftShare: Gauge<'model'>;
  readonly driftVerdict: Gauge<'model'>;
  readonly driftChecks: Counter<'model' | 'verdict' | 'action'>;
  readonly trafficShare: Gauge<'model' | 'mode' | 'variant' | 'alias'>;
  readonly retrainJobsRecent: Gauge<'model' | 'status'>;
  readonly retrainLastFailure: Gauge<'model'>;
  readonly backgroundFailures: Counter<'task'>;
  readonly captureRecords: Counter<'outcome'>;
  readonly capturePending: Gauge;
  readonly retentionDeleted: Counter<'data'>;

  constructor(labels: { service: string; stage: string }) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'credit_score_' });
    // prom-client names three gauges *_total, which Prometheus reserves for counters
    // (`promtool check metrics` rejects them): dropped, the handle counts are in the others.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(`credit_score_${name}`);
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'credit_score_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'credit_score_http_request_duration_seconds',
      help: 'HTTP request latency inside the handler, by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.predictions = new Counter({
      name: 'credit_score_predictions_total',
      help: 'Predictions by predicted class, model version, alias and variant.',
      labelNames: ['class', 'model', 'version', 'alias', 'variant'],
      registers,
    });
    this.shadowPredictions = new Counter({
      name: 'credit_score_shadow_predictions_total',
      help: 'Shadow challenger predictions by whether they agreed with the answer given.',
      labelNames: ['model', 'version', 'agree'],
      registers,
    });
    this.modelLoadSeconds = new Histogram({
      name: 'credit_score_model_load_seconds',
      help: 'Time to read and verify a model from storage.',
      labelNames: ['model'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.modelLoads = new Counter({
      name: 'credit_score_model_loads_total',
      help: 'Model loads by outcome (loaded, refused) and whether it was the cold start.',
      labelNames: ['model', 'outcome', 'cold'],
      registers,
    });
    this.modelInfo = new Gauge({
      name: 'credit_score_model_info',
      help: 'The version each alias serves in this container (value 1).',
      labelNames: ['model', 'version', 'alias'],
      registers,
    });
    this.driftScore = new Gauge({
      name: 'credit_score_drift_score',
      help: 'Last drift check per feature: effect size (psi or js-distance) and adjusted p-value.',
      labelNames: ['model', 'feature', 'measure'],
      registers,
    });
    this.driftShare = new Gauge({
      name: 'credit_score_drift_drifted_share',
      help: 'Share of evaluated features that drifted in the last check.',
      labelNames: ['model'],
      registers,
    });
    this.driftVerdict = new Gauge({
      name: 'credit_score_drift_verdict',
      help: 'Last drift verdict: 0 stable, 1 partial, 2 drift, -1 not enough data.',
      labelNames: ['model'],
      registers,
    });
    this.driftChecks = new Counter({
      name: 'credit_score_drift_checks_total',
      help: 'Drift checks by verdict and the action taken.',
      labelNames: ['model', 'verdict', 'action'],
      registers,
    });
    this.trafficShare = new Gauge({
      name: 'credit_score_traffic_share',
      help: 'Percent of requests each variant gets under the traffic policy (the canary state).',
      labelNames: ['model', 'mode', 'variant', 'alias'],
      registers,
    });
    // Retrain outcomes as the api reads them from the job records (lib/retrain/recent-job-outcomes.ts):
    // the retrain process itself exits before any scrape, so counters kept there are never seen.
    this.retrainJobsRecent = new Gauge({
      name: 'credit_score_retrain_jobs_recent',
      help: 'Retrain jobs created in the last 24 h by status, read by the api from the job records (a dead job counts as failed).',
      labelNames: ['model', 'status'],
      registers,
    });
    this.retrainLastFailure = new Gauge({
      name: 'credit_score_retrain_last_failure_timestamp_seconds',
      help: 'When the newest failed retrain job of the last 24 h ended (Unix seconds), read by the api from the job records.',
      labelNames: ['model'],
      registers,
    });
    this.backgroundFailures = new Counter({
      name: 'credit_score_background_failures_total',
      help: 'Failures of work no request waits for: alias and policy refreshes, capture writes, retention sweeps.',
      labelNames: ['task'],
      registers,
    });
    this.captureRecords = new Counter({
      name: 'credit_score_capture_records_total',
      help: 'Captured answers by outcome: written to storage, or dropped because storage could not take them in time.',
      labelNames: ['outcome'],
      registers,
    });
    this.capturePending = new Gauge({
      name: 'credit_score_capture_pending',
      help: 'Captured answers waiting to be written.',
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'credit_score_retention_deleted_total',
      help: 'Objects housekeeping deleted because they outlived their retention (captures, feedback, summaries), where the store has no lifecycle rules.',
      labelNames: ['data'],
      registers,
    });
  }
}

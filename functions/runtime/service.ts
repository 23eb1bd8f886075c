/**
 * The composition root of a container: configuration, logger, metrics, secrets, storage,
 * registry and the serving model, created once per container (a Lambda instance, the
 * serverless-offline process, or the node:http adapter process) and shared by its handlers.
 */
import { loadConfig, type Config } from '../../lib/config/config.ts';
import { createLogger, type Logger } from '../../lib/observability/logger.ts';
import { emitEmf } from '../../lib/observability/emf.ts';
import { ServiceMetrics } from '../../lib/observability/metrics.ts';
import { onLambda } from '../../lib/util/runtime.ts';
import { ModelRegistry } from '../../lib/registry/model-registry.ts';
import { JobStore } from '../../lib/retrain/job-store.ts';
import { createJobRunner, type JobRunner } from '../../lib/retrain/runners.ts';
import { StorageLock } from '../../lib/retrain/storage-lock.ts';
import { createSecretsProvider, type SecretsProvider } from '../../lib/secrets/service-secrets.ts';
import { ModelRouter } from '../../lib/release/model-router.ts';
import { PredictionCapture } from '../../lib/release/prediction-capture.ts';
import { publicReason } from '../../lib/serving/public-reason.ts';
import { DocumentStore } from '../../lib/state/document-store.ts';
import { keys, PREFIXES } from '../../lib/state/layout.ts';
import type { ObjectStore } from '../../lib/storage/object-store.ts';
import { S3ObjectStore, type S3StoreConfig } from '../../lib/storage/s3-object-store.ts';
import { inProcessReads, type MonitoringReads } from '../../lib/monitoring/monitoring-reads.ts';
import { OffThreadReads } from '../../lib/monitoring/off-thread-reads.ts';
import { StorageProbe } from '../../lib/serving/storage-probe.ts';
import { RetentionMonitor } from '../../lib/retrain/retention-sweep.ts';
import { VersionModels } from '../../lib/serving/version-models.ts';
import { ModelScopes, type ModelScope } from './model-scopes.ts';
import { baselineFingerprint } from '../../lib/drift/baseline-fingerprint.ts';

export interface Basics {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  secrets: SecretsProvider;
}

export interface Service extends Basics {
  store: ObjectStore;
  /** Whether the store answers, for /health (fast even when it does not). */
  storageProbe: StorageProbe;
  docs: DocumentStore;
  registry: ModelRegistry;
  /** Every model this container serves, each with its router, captures, versions and retrain lock. */
  models: ModelScopes;
  jobs: JobStore;
  /** One retrain job per model at a time: a lock in storage that expires when its holder stops sending heartbeats. */
  retrainLock(model: string): StorageLock;
  runner: JobRunner;
  /** Window reads and rollups: on a worker thread in a long-lived server, in-process on Lambda. */
  monitoring: MonitoringReads;
  /** The last retention sweep of this container (housekeeping, where it enforces retention). */
  retention: RetentionMonitor;
}

let basics: Basics | null = null;
let service: Promise<Service> | null = null;
let started: Service | null = null;

/** What every request needs before anything can fail: config, logs, metrics, secrets. */
export function getBasics(): Basics {
  if (!basics) {
    const config = loadConfig();
    basics = {
      config,
      logger: createLogger({
        service: config.SERVICE_NAME,
        environment: config.STAGE,
        file: config.LOG_FILE,
        format: config.LOG_FORMAT,
      }),
      metrics: new ServiceMetrics({ service: config.SERVICE_NAME, stage: config.STAGE }),
      secrets: createSecretsProvider(config),
    };
  }
  return basics;
}

export function getService(): Promise<Service> {
  service ??= createService(getBasics()).then(
    (s) => (started = s),
    (err: unknown) => {
      service = null; // a failed start is retried by the next request
      throw err;
    },
  );
  return service;
}

async function createService(b: Basics): Promise<Service> {
  const { config } = b;
  const secrets = await b.secrets.get();
  const storeConfig: S3StoreConfig = {
    bucket: config.MODEL_BUCKET,
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    connectTimeoutMs: config.S3_CONNECT_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: config.S3_REQUEST_TIMEOUT_SECONDS * 1000,
    // The health probe lists one key of the registry: all a public function may list on AWS.
    probePrefix: PREFIXES.models,
    // Explicit keys only where a secret provides them; otherwise the SDK's chain (the Lambda role).
    ...(secrets.s3AccessKeyId && secrets.s3SecretAccessKey
      ? { credentials: { accessKeyId: secrets.s3AccessKeyId, secretAccessKey: secrets.s3SecretAccessKey } }
      : {}),
  };
  const store = S3ObjectStore.fromConfig(storeConfig);
  const docs = new DocumentStore(store);
  const registry = new ModelRegistry(store);
  const lockTtlMs = config.RETRAIN_LOCK_SECONDS * 1000;
  const jobs = new JobStore(docs, lockTtlMs);
  const models = new ModelScopes(
    registry,
    config.MODEL_NAME,
    (name) => buildModelScope(b, store, registry, name),
    config.ALIAS_REFRESH_SECONDS * 1000,
  );
  const retrainLock = (model: string): StorageLock => new StorageLock(docs, keys.retrainLock(model), lockTtlMs);
  const runner = createJobRunner(config);
  // Timers last: a service that fails to build (a bad setting) leaves nothing running behind it.
  models.start();
  // A Lambda function does one job per invocation: a thread would only add to its cold start.
  const monitoring = onLambda() ? inProcessReads(store) : new OffThreadReads(storeConfig, config.MONITORING_READS);
  return {
    ...b,
    store,
    storageProbe: new StorageProbe(store),
    docs,
    registry,
    models,
    jobs,
    retrainLock,
    runner,
    monitoring,
    retention: new RetentionMonitor(),
  };
}

/**
 * Before the process goes: captured answers still buffered are written (bounded in time).
 * Servers call it on SIGTERM/SIGINT; serverless-offline through its shutdown hook.
 */
export async function shutdownService(timeoutMs = (basics?.config.SHUTDOWN_FLUSH_SECONDS ?? 8) * 1000): Promise<void> {
  const scopes = started?.models.started() ?? [];
  for (const scope of scopes) scope.router.stop();
  void started?.monitoring.close();
  const unwritten = await Promise.all(scopes.map((scope) => scope.capture.close(timeoutMs)));
  // The last word on them: nothing will retry once the process is gone.
  scopes.forEach((scope, i) => {
    if (unwritten[i])
      basics?.logger.error(
        { 'log.logger': 'capture', 'model.name': scope.name, 'capture.lost': unwritten[i] },
        `shutdown: ${unwritten[i]} captured answers and labels of ${scope.name} not written within ${timeoutMs / 1000} s: lost`,
      );
  });
}

/** For tests and the adapter: forget the container's state so the next call builds it anew. */
export function resetService(): void {
  for (const scope of started?.models.started() ?? []) {
    scope.router.stop();
    void scope.capture.close(0);
  }
  void started?.monitoring.close();
  basics = null;
  service = null;
  started = null;
}

/**
 * On Lambda a frozen container runs no timers between invocations, so a capture batch that is
 * due is written before the answer returns (waiting at most a second; what is not written
 * waits for the next invocation); `always` writes whatever is held (labels: a feedback function
 * may not be invoked again for hours). Elsewhere the flush timer does it and requests never wait.
 */
export async function settleCapture(capture: PredictionCapture, always = false): Promise<void> {
  if (!onLambda() || !(always || capture.due())) return;
  await Promise.race([capture.flush(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
}

/** One model's parts (functions/runtime/model-scopes.ts), reporting to the container's logs and metrics. */
function buildModelScope(b: Basics, store: ObjectStore, registry: ModelRegistry, name: string): ModelScope {
  const { config, logger, metrics } = b;
  // Under model.*, as the access lines name them: one field must have one type in the log index
  // (observability/elk: `model` cannot be a string here and an object there).
  const modelLog = { 'log.logger': 'model', 'model.name': name };
  const router = new ModelRouter(registry, name, config.MODEL_ALIAS, config.ALIAS_REFRESH_SECONDS * 1000, {
    onLoad: (model, cold) => {
      metrics.modelLoadSeconds.observe({ model: model.name }, model.loadMs / 1000);
      metrics.modelLoads.inc({ model: model.name, outcome: 'loaded', cold: String(cold) });
      emitEmf(
        { Model: model.name, Cold: String(cold) },
        { ModelLoads: { value: 1, unit: 'Count' }, ModelLoadTime: { value: model.loadMs, unit: 'Milliseconds' } },
      );
      metrics.modelInfo.set({ model: model.name, version: model.version, alias: model.alias }, 1);
      logger.info(
        {
          ...modelLog,
          'event.action': 'model-loaded',
          'model.version': model.version,
          'model.alias': model.alias,
          'model.cold': cold,
          'event.duration': Math.round(model.loadMs * 1e6),
          'model.bytes': model.bytes,
        },
        `loaded ${model.name} ${model.version} (${model.alias}) in ${model.loadMs.toFixed(1)} ms`,
      );
    },
    onRefuse: (version, err) => {
      if (version) metrics.modelLoads.inc({ model: name, outcome: 'refused', cold: 'false' });
      metrics.backgroundFailures.inc({ task: 'alias-refresh' });
      logger.error(
        { ...modelLog, 'event.action': 'model-refused', 'model.version': version, 'error.message': err.message },
        `refused ${name} ${version ?? '(alias)'}: ${err.message}`,
      );
    },
    onFallback: (wanted, serving, reason) =>
      logger.error(
        { ...modelLog, 'event.action': 'model-fallback', 'model.version': serving, 'model.wanted': wanted },
        reason,
      ),
    onPolicyError: (err) => {
      metrics.backgroundFailures.inc({ task: 'policy-refresh' });
      logger.error(
        { ...modelLog, 'event.action': 'policy-unreadable', 'error.message': err.message },
        `traffic policy of ${name} unreadable, keeping the last one: ${err.message}`,
      );
    },
  });
  const capture = new PredictionCapture(
    store,
    name,
    {
      flushRecords: config.CAPTURE_FLUSH_RECORDS,
      flushIntervalMs: config.CAPTURE_FLUSH_SECONDS * 1000,
      maxBuffered: config.CAPTURE_MAX_BUFFERED,
      // Sampled feature values are counted on the baseline of the model that answered (held here).
      baselineOf: (version) => {
        const model = router.loadedModels().find((m) => m.version === version);
        if (!model) return null;
        const { spec, baseline } = model.predictor.bundle;
        return { spec, baseline, fingerprint: baselineFingerprint(baseline) };
      },
    },
    {
      onWritten: (n) => metrics.captureRecords.inc({ outcome: 'written' }, n),
      onDropped: (n) => metrics.captureRecords.inc({ outcome: 'dropped' }, n),
      onFailed: (err) => {
        metrics.backgroundFailures.inc({ task: 'capture-flush' });
        logger.error(
          { 'log.logger': 'capture', 'model.name': name, 'error.message': err.message },
          `captured predictions of ${name} could not be written (kept for a retry): ${publicReason(err)}`,
        );
      },
    },
  );
  // Timers last: parts that fail to build leave nothing running behind them.
  router.start();
  capture.start();
  return { name, router, capture, versions: new VersionModels(registry, name) };
}

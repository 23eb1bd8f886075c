/**
 * The composition root of a container: configuration, logger, metrics, secrets, storage,
 * registry and the serving model, created once per container (a Lambda instance, the
 * serverless-offline worker, or the node:http adapter process) and shared by its handlers.
 */
import { loadConfig, type Config } from '../../lib/config/config.ts';
import { createLogger, type Logger } from '../../lib/observability/logger.ts';
import { emitEmf } from '../../lib/observability/emf.ts';
import { ServiceMetrics } from '../../lib/observability/metrics.ts';
import { ModelRegistry } from '../../lib/registry/model-registry.ts';
import { JobStore } from '../../lib/retrain/job-store.ts';
import { createJobRunner, type JobRunner } from '../../lib/retrain/runners.ts';
import { StorageLock } from '../../lib/retrain/storage-lock.ts';
import { createSecretsProvider, type SecretsProvider } from '../../lib/secrets/service-secrets.ts';
import { ModelRouter } from '../../lib/release/model-router.ts';
import { PredictionCapture } from '../../lib/release/prediction-capture.ts';
import type { ObjectStore } from '../../lib/storage/object-store.ts';
import { S3ObjectStore } from '../../lib/storage/s3-object-store.ts';

export interface Basics {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  secrets: SecretsProvider;
}

export interface Service extends Basics {
  store: ObjectStore;
  registry: ModelRegistry;
  /** The models this container serves: one per alias of the traffic policy. */
  router: ModelRouter;
  /** What each variant answered, for canary and A/B decisions. */
  capture: PredictionCapture;
  jobs: JobStore;
  retrainLock: StorageLock;
  runner: JobRunner;
}

let basics: Basics | null = null;
let service: Promise<Service> | null = null;

/** What every request needs before anything can fail: config, logs, metrics, secrets. */
export function getBasics(): Basics {
  if (!basics) {
    const config = loadConfig();
    basics = {
      config,
      logger: createLogger({ service: config.SERVICE_NAME, environment: config.STAGE, file: config.LOG_FILE }),
      metrics: new ServiceMetrics({ service: config.SERVICE_NAME, stage: config.STAGE }),
      secrets: createSecretsProvider(config),
    };
  }
  return basics;
}

export function getService(): Promise<Service> {
  service ??= createService(getBasics()).catch((err: unknown) => {
    service = null; // a failed start is retried by the next request
    throw err;
  });
  return service;
}

async function createService(b: Basics): Promise<Service> {
  const { config, logger, metrics } = b;
  const secrets = await b.secrets.get();
  const store = S3ObjectStore.fromConfig({
    bucket: config.MODEL_BUCKET,
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    // Explicit keys only where a secret provides them; otherwise the SDK's chain (the Lambda role).
    ...(secrets.s3AccessKeyId && secrets.s3SecretAccessKey ? { credentials: { accessKeyId: secrets.s3AccessKeyId, secretAccessKey: secrets.s3SecretAccessKey } } : {}),
  });
  const registry = new ModelRegistry(store);
  const router = new ModelRouter(registry, config.MODEL_NAME, config.MODEL_ALIAS, config.ALIAS_REFRESH_SECONDS * 1000, {
    onLoad: (model, cold) => {
      metrics.modelLoadSeconds.observe({ model: model.name }, model.loadMs / 1000);
      metrics.modelLoads.inc({ model: model.name, outcome: 'loaded', cold: String(cold) });
      emitEmf({ Model: model.name, Cold: String(cold) }, { ModelLoads: { value: 1, unit: 'Count' }, ModelLoadTime: { value: model.loadMs, unit: 'Milliseconds' } });
      metrics.modelInfo.set({ model: model.name, version: model.version, alias: model.alias }, 1);
      logger.info(
        { 'log.logger': 'model', 'event.action': 'model-loaded', model: model.name, version: model.version, alias: model.alias, cold, 'event.duration': Math.round(model.loadMs * 1e6), bytes: model.bytes },
        `loaded ${model.name} ${model.version} (${model.alias}) in ${model.loadMs.toFixed(1)} ms`,
      );
    },
    onRefuse: (version, err) => {
      metrics.modelLoads.inc({ model: config.MODEL_NAME, outcome: 'refused', cold: 'false' });
      logger.error({ 'log.logger': 'model', 'event.action': 'model-refused', model: config.MODEL_NAME, version, 'error.message': err.message }, `refused ${config.MODEL_NAME} ${version ?? '(alias)'}: ${err.message}`);
    },
    onPolicyError: (err) => logger.error({ 'log.logger': 'model', 'event.action': 'policy-unreadable', model: config.MODEL_NAME, 'error.message': err.message }, `traffic policy unreadable, keeping the last one: ${err.message}`),
  });
  const jobs = new JobStore(store);
  const retrainLock = new StorageLock(store, `locks/retrain-${config.MODEL_NAME}.json`, config.RETRAIN_LOCK_SECONDS * 1000);
  const capture = new PredictionCapture(store, config.MODEL_NAME, config.CAPTURE_FLUSH_RECORDS, config.CAPTURE_FLUSH_SECONDS * 1000);
  // The retrain service checks the admin key like any admin route; the runner sends the first one.
  const runner = createJobRunner(config, async () => (await b.secrets.get()).adminApiKeys[0] ?? '');
  return { ...b, store, registry, router, capture, jobs, retrainLock, runner };
}

/** For tests and the adapter: forget the container's state so the next call builds it anew. */
export function resetService(): void {
  basics = null;
  service = null;
}

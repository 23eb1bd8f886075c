/**
 * The model a warm container serves: loaded once (cold start) from the registry, every file
 * verified, cached; the alias pointer is re-read at most every `refreshMs`, and a moved alias
 * is picked up without a restart. A version that fails to load is refused and the model that
 * was serving keeps serving; the failure is remembered for /health and the logs.
 */
import type { ArtifactManifest } from '../artifact/model-bundle.ts';
import type { ModelRegistry, Registration } from '../registry/model-registry.ts';
import { Predictor } from './predictor.ts';

export interface ServingModel {
  name: string;
  alias: string;
  version: string;
  predictor: Predictor;
  manifest: ArtifactManifest;
  registration: Registration | null;
  loadedAt: string;
  loadMs: number;
  bytes: number;
}

export interface ProviderStatus {
  name: string;
  alias: string;
  loaded: boolean;
  version: string | null;
  lastCheck: string | null;
  /** The last refused version and why, until a load succeeds again. */
  lastError: { version: string | null; message: string; at: string } | null;
}

export class NoModelError extends Error {
  override name = 'NoModelError';
}

export interface ProviderEvents {
  onLoad?(model: ServingModel, cold: boolean): void;
  onRefuse?(version: string | null, error: Error): void;
}

export class ModelProvider {
  private model: ServingModel | null = null;
  private checkedAt = 0;
  private pending: Promise<ServingModel | null> | null = null;
  private lastError: ProviderStatus['lastError'] = null;

  constructor(
    private readonly registry: ModelRegistry,
    readonly name: string,
    readonly alias: string,
    private readonly refreshMs: number,
    private readonly events: ProviderEvents = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The serving model, refreshed if the alias check is due. Throws NoModelError if none loads. */
  async current(): Promise<ServingModel> {
    if (!this.model || this.now() - this.checkedAt >= this.refreshMs) {
      // One refresh at a time; concurrent requests share it.
      this.pending ??= this.refresh().finally(() => (this.pending = null));
      await this.pending;
    }
    if (!this.model) throw new NoModelError(this.lastError ? `no model is loaded: ${this.lastError.message}` : `model ${this.name} has no "${this.alias}" alias yet`);
    return this.model;
  }

  /** The loaded model without triggering a refresh (for /health and /metrics). */
  peek(): ServingModel | null {
    return this.model;
  }

  status(): ProviderStatus {
    return {
      name: this.name,
      alias: this.alias,
      loaded: this.model !== null,
      version: this.model?.version ?? null,
      lastCheck: this.checkedAt ? new Date(this.checkedAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  private async refresh(): Promise<ServingModel | null> {
    let version: string | null = null;
    try {
      const pointer = await this.registry.getAlias(this.name, this.alias);
      this.checkedAt = this.now();
      if (!pointer) return this.model;
      version = pointer.version;
      if (this.model?.version === version) return this.model;
      const started = performance.now();
      const loaded = await this.registry.loadVersion(this.name, version);
      const model: ServingModel = {
        name: this.name,
        alias: this.alias,
        version,
        predictor: new Predictor(loaded.bundle),
        manifest: loaded.manifest,
        registration: loaded.registration,
        loadedAt: new Date(this.now()).toISOString(),
        loadMs: performance.now() - started,
        bytes: loaded.bytes,
      };
      const cold = this.model === null;
      this.model = model;
      this.lastError = null;
      this.events.onLoad?.(model, cold);
      return model;
    } catch (err) {
      // Storage down or a bad version: keep what serves, remember why, retry at the next check.
      this.checkedAt = this.now();
      this.lastError = { version, message: (err as Error).message, at: new Date(this.now()).toISOString() };
      this.events.onRefuse?.(version, err as Error);
      return this.model;
    }
  }
}

/**
 * The models one service serves, each with its own parts: a router (its aliases and traffic
 * policy), a capture buffer (its answers, for its canary, A/B and drift), and the versions loaded by
 * number. A model's parts are built the first time a request names it, and
 * only for a model the registry holds (or the service's default, which may not be registered
 * yet): a request for a name nobody registered is a 404, and cannot make the service build
 * timers and buffers for it. What the registry holds is re-listed at most once a second for a
 * name not seen yet, and every refresh interval anyway (a deleted model is rare; its parts then
 * idle until the container goes).
 */
import { notFound } from '../../lib/http/http-error.ts';
import type { ModelRegistry } from '../../lib/registry/model-registry.ts';
import type { ModelRouter } from '../../lib/release/model-router.ts';
import type { PredictionCapture } from '../../lib/release/prediction-capture.ts';
import type { VersionModels } from '../../lib/serving/version-models.ts';

export interface ModelScope {
  name: string;
  /** The aliases and traffic policy of this model: one variant per routed alias. */
  router: ModelRouter;
  /** What each variant of this model answered, for its canary and A/B decisions and drift. */
  capture: PredictionCapture;
  /** This model's versions by number, for the routes that name one. */
  versions: VersionModels;
}

/** A name not in the last listing waits at least this long before the registry is listed again. */
const UNKNOWN_NAME_RELIST_MS = 1000;

export class ModelScopes {
  private readonly scopes = new Map<string, ModelScope>();
  private listed: { names: Set<string>; at: number } | null = null;
  private listing: Promise<Set<string>> | null = null;

  constructor(
    private readonly registry: ModelRegistry,
    /** The model `/predict` and routes without a model name serve (MODEL_NAME). */
    readonly defaultName: string,
    private readonly build: (name: string) => ModelScope,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The parts of model `name`; 404 when the registry holds no such model. */
  async get(name: string): Promise<ModelScope> {
    const built = this.scopes.get(name);
    if (built) return built;
    await this.require(name);
    // Another request may have built it while this one listed.
    let scope = this.scopes.get(name);
    if (!scope) {
      scope = this.build(name);
      this.scopes.set(name, scope);
    }
    return scope;
  }

  /** The default model's parts, built with the service. */
  get primary(): ModelScope {
    const scope = this.scopes.get(this.defaultName);
    if (!scope) throw new Error('the default model has no parts: ModelScopes.start was not called');
    return scope;
  }

  /** `name` when the registry holds it (or it is the default), without building its parts; 404 otherwise. */
  async require(name: string): Promise<string> {
    if (name !== this.defaultName && !this.scopes.has(name) && !(await this.registered(name)))
      throw notFound(`model ${name} is not registered (GET /models lists the models served here)`);
    return name;
  }

  /** Builds the default model's parts (a service always serves it, registered or not). */
  start(): void {
    if (!this.scopes.has(this.defaultName)) this.scopes.set(this.defaultName, this.build(this.defaultName));
  }

  /** Every model built so far, the default first. */
  started(): ModelScope[] {
    return [...this.scopes.values()];
  }

  /** The registered models (and the default), sorted: what GET /models and the schedules go over. */
  async names(): Promise<string[]> {
    const names = await this.list(false);
    return [...new Set([this.defaultName, ...names])].sort();
  }

  private async registered(name: string): Promise<boolean> {
    const names = await this.list(false);
    if (names.has(name)) return true;
    // A model registered since the last listing: look again, at most once a second.
    if (this.listed && this.now() - this.listed.at < UNKNOWN_NAME_RELIST_MS) return false;
    return (await this.list(true)).has(name);
  }

  private list(force: boolean): Promise<Set<string>> {
    if (this.listed && !force && this.now() - this.listed.at < this.refreshMs)
      return Promise.resolve(this.listed.names);
    // Concurrent requests share one listing.
    this.listing ??= this.registry
      .listModels()
      .then((names) => {
        this.listed = { names: new Set(names), at: this.now() };
        return this.listed.names;
      })
      .finally(() => {
        this.listing = null;
      });
    return this.listing;
  }
}

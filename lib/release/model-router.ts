/**
 * Routes each request to a variant of the model under the current traffic policy. The policy is
 * read once when the container starts, then re-read in the background every `refreshMs` (a
 * timer, and on hosts whose timers sleep between requests, Lambda, the first request after the
 * interval), together with every alias it serves, so no request waits on storage once the
 * container is warm and a change is picked up within about one interval. One
 * ModelProvider per alias keeps that alias's version loaded and fresh, standby colours are kept
 * warm, and the shadow challenger is offered for background scoring. A policy that cannot be
 * read leaves the last good one in force, and the failure shows in the status.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import {
  ModelProvider,
  type ProviderEvents,
  type ProviderStatus,
  type ServingModel,
} from '../serving/model-provider.ts';
import { publicReason } from '../serving/public-reason.ts';
import { assignmentPoint, routeFor } from './sticky-assignment.ts';
import { policyAliases, resolvePolicy, type ResolvedPolicy, type Route } from './traffic-policy.ts';

export interface RoutedModel {
  route: Route;
  model: ServingModel;
  /** The request's point in [0, 10000): the same key always has the same point. */
  point: number;
}

export interface RouterStatus {
  policy: ResolvedPolicy['policy'];
  /** The traffic document's revision in force (null: none stored, the default single alias). */
  revision: number | null;
  policyCheck: string | null;
  policyError: { message: string; at: string } | null;
  aliases: ProviderStatus[];
}

export class ModelRouter {
  private readonly providers = new Map<string, ModelProvider>();
  private resolved: ResolvedPolicy;
  private revision: number | null = null;
  private attempted = false;
  private checkedAt = 0;
  private pending: Promise<void> | null = null;
  private policyError: RouterStatus['policyError'] = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: ModelRegistry,
    readonly name: string,
    private readonly defaultAlias: string,
    private readonly refreshMs: number,
    private readonly events: ProviderEvents & { onPolicyError?(error: Error): void } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.resolved = resolvePolicy({ mode: 'single', alias: defaultAlias });
  }

  provider(alias: string): ModelProvider {
    let provider = this.providers.get(alias);
    if (!provider) {
      provider = new ModelProvider(this.registry, this.name, alias, this.refreshMs, this.events, this.now);
      this.providers.set(alias, provider);
    }
    return provider;
  }

  /** The models this container holds now (one per routed alias that has loaded one). */
  loadedModels(): ServingModel[] {
    return [...this.providers.values()].map((p) => p.peek()).filter((m): m is ServingModel => m !== null);
  }

  /** Arms the background refresh (unref'd: it never keeps a process alive by itself). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refreshAll(), this.refreshMs);
    this.timer.unref();
  }

  /**
   * After a change made through this container: the policy is re-read now (a read that started
   * before the change does not count), so it applies here at once; the aliases are re-read in
   * the background, a moved one serving once its model is loaded.
   */
  async refreshAfterChange(): Promise<void> {
    await this.refreshNow(true);
    for (const provider of this.providers.values()) void provider.refreshNow(true);
  }

  private refreshAll(): void {
    void this.refreshNow();
    for (const provider of this.providers.values()) provider.refreshInBackground();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The policy in force: read on the first call, then refreshed in the background. */
  async policy(): Promise<ResolvedPolicy> {
    if (!this.attempted) await this.refreshNow();
    else if (this.now() - this.checkedAt >= this.refreshMs) void this.refreshNow();
    return this.resolved;
  }

  /** The variant for a request key, without loading its model. */
  async pick(key: string): Promise<{ route: Route; point: number }> {
    const resolved = await this.policy();
    const point = assignmentPoint(this.name, key);
    return { route: routeFor(resolved.routes, point), point };
  }

  /** The variants for a batch's request keys, under one read of the policy (a batch is routed by one policy). */
  async pickAll(keys: readonly string[]): Promise<{ route: Route; point: number }[]> {
    const resolved = await this.policy();
    return keys.map((key) => {
      const point = assignmentPoint(this.name, key);
      return { route: routeFor(resolved.routes, point), point };
    });
  }

  /** The variant and model for a request key. Throws NoModelError when its alias has none. */
  async route(key: string): Promise<RoutedModel> {
    const { route, point } = await this.pick(key);
    return { route, model: await this.provider(route.alias).current(), point };
  }

  /**
   * The shadow challenger for a request at `point`, when the policy samples it and its model is
   * loaded. Never waits: a shadow not loaded yet is loaded in the background, and the request is
   * answered without it (its answer is never returned anyway).
   */
  shadowFor(point: number): ServingModel | null {
    const shadow = this.resolved.shadow;
    // The sample is the top `sample` percent of points: stable per customer, like routing.
    if (!shadow || point < 10_000 - shadow.sample * 100) return null;
    const provider = this.provider(shadow.alias);
    const model = provider.peek();
    if (!model) provider.refreshInBackground();
    return model;
  }

  status(): RouterStatus {
    return {
      policy: this.resolved.policy,
      revision: this.revision,
      policyCheck: this.checkedAt ? new Date(this.checkedAt).toISOString() : null,
      policyError: this.policyError,
      aliases: policyAliases(this.resolved).map((alias) => this.provider(alias).status()),
    };
  }

  /** One read at a time; concurrent callers share it. `fresh`: one that starts after now (see ModelProvider.refreshNow). */
  refreshNow(fresh = false): Promise<void> {
    if (fresh && this.pending) return this.pending.then(() => this.refreshNow());
    this.pending ??= this.refresh().finally(() => (this.pending = null));
    return this.pending;
  }

  private async refresh(): Promise<void> {
    try {
      const doc = await this.registry.getTraffic(this.name);
      this.resolved = resolvePolicy(doc?.policy ?? { mode: 'single', alias: this.defaultAlias });
      this.revision = doc?.revision ?? null;
      this.policyError = null;
    } catch (err) {
      this.policyError = { message: publicReason(err), at: new Date(this.now()).toISOString() };
      this.events.onPolicyError?.(err as Error);
    }
    this.attempted = true;
    this.checkedAt = this.now();
    // Keep every alias of the policy loaded (a blue-green switch or a shadow must not wait for a cold load).
    for (const alias of policyAliases(this.resolved)) this.provider(alias).refreshInBackground();
  }
}

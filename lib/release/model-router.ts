/**
 * Routes each request to a variant of the model under the current traffic policy: the policy
 * is re-read at most every `refreshMs` (like alias pointers), one ModelProvider per alias keeps
 * that alias's version loaded and fresh, standby colours are kept warm, and the shadow
 * challenger is offered for background scoring. A policy that cannot be read leaves the last
 * good one in force.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import { ModelProvider, type ProviderEvents, type ProviderStatus, type ServingModel } from '../serving/model-provider.ts';
import { assignmentPoint, routeFor } from './sticky-assignment.ts';
import { policyAliases, resolvePolicy, type ResolvedPolicy, type Route } from './traffic-policy.ts';

export interface RoutedModel {
  route: Route;
  model: ServingModel;
  /** The request's point in [0, 10000): the same key always has the same point. */
  point: number;
}

export class ModelRouter {
  private readonly providers = new Map<string, ModelProvider>();
  private resolved: ResolvedPolicy;
  private checkedAt = 0;
  private pending: Promise<void> | null = null;

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

  async policy(): Promise<ResolvedPolicy> {
    if (this.now() - this.checkedAt >= this.refreshMs) {
      this.pending ??= this.refresh().finally(() => (this.pending = null));
      await this.pending;
    }
    return this.resolved;
  }

  /** The variant for a request key, without loading its model. */
  async pick(key: string): Promise<{ route: Route; point: number }> {
    const resolved = await this.policy();
    const point = assignmentPoint(this.name, key);
    return { route: routeFor(resolved.routes, point), point };
  }

  /** The variant and model for a request key. Throws NoModelError when its alias has none. */
  async route(key: string): Promise<RoutedModel> {
    const { route, point } = await this.pick(key);
    return { route, model: await this.provider(route.alias).current(), point };
  }

  /** The shadow challenger for a request at `point`, when the policy samples it; never throws. */
  async shadowFor(point: number): Promise<ServingModel | null> {
    const shadow = this.resolved.shadow;
    // The sample is the top `sample` percent of points: stable per customer, like routing.
    if (!shadow || point < 10_000 - shadow.sample * 100) return null;
    return this.provider(shadow.alias).current().catch(() => null);
  }

  status(): { policy: ResolvedPolicy['policy']; aliases: ProviderStatus[] } {
    return { policy: this.resolved.policy, aliases: policyAliases(this.resolved).map((alias) => this.provider(alias).status()) };
  }

  private async refresh(): Promise<void> {
    try {
      const policy = await this.registry.getTrafficPolicy(this.name);
      this.resolved = resolvePolicy(policy ?? { mode: 'single', alias: this.defaultAlias });
    } catch (err) {
      this.events.onPolicyError?.(err as Error);
    }
    this.checkedAt = this.now();
    // Keep every alias of the policy loaded (a blue-green switch or a shadow must not wait for a cold load).
    for (const alias of policyAliases(this.resolved)) void this.provider(alias).current().catch(() => undefined);
  }
}

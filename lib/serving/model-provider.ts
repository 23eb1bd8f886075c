/**
 * The model a warm container serves for one alias. The first request of a cold container waits
 * for the load (every file verified); after that no request waits on storage: the alias is
 * re-read in the background at most every `refreshMs`, and a moved alias is picked up without a
 * restart. A cold container whose load failed answers at once (NoModelError) until the next
 * check is due, instead of every request retrying the store. A version that fails verification
 * is refused and remembered (not downloaded again until the alias moves); what was serving keeps
 * serving; any other failure is retried at the next check. A cold start whose alias points at a
 * refused version serves the newest earlier version of the alias's history that verifies, and
 * says so in its status.
 */
import { ArtifactError, type ArtifactManifest } from '../artifact/model-bundle.ts';
import {
  RegistryError,
  type AliasDocument,
  type ModelRegistry,
  type Registration,
  type RegistryEvent,
} from '../registry/model-registry.ts';
import { isStorageUnavailable } from '../storage/object-store.ts';
import { publicReason } from './public-reason.ts';
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
  /** The version serving, or null. */
  version: string | null;
  /** Where the alias points, when that is not what serves (refused, or a fallback is serving). */
  pointer: string | null;
  lastCheck: string | null;
  /** Serving an earlier version because the one the alias points at was refused at a cold start. */
  fallback: { wanted: string; serving: string; reason: string } | null;
  /** The last failure and why, until a check succeeds again. No hosts, ports or paths. */
  lastError: { version: string | null; message: string; at: string } | null;
}

export class NoModelError extends Error {
  override name = 'NoModelError';
  constructor(
    message: string,
    /** True when storage could not be reached (503 with retry-after, as for any storage outage). */
    readonly storageUnavailable = false,
  ) {
    super(message);
  }
}

export interface ProviderEvents {
  onLoad?(model: ServingModel, cold: boolean): void;
  onRefuse?(version: string | null, error: Error): void;
  onFallback?(wanted: string, serving: string, reason: string): void;
}

/** How far back the history is searched for a version to fall back to. */
const MAX_FALLBACK_STEPS = 10;

export class ModelProvider {
  private model: ServingModel | null = null;
  private checkedAt = 0;
  private pending: Promise<void> | null = null;
  private lastError: ProviderStatus['lastError'] = null;
  private lastErrorUnavailable = false;
  private pointer: string | null = null;
  private refused = new Map<string, string>();
  private fallback: ProviderStatus['fallback'] = null;

  constructor(
    private readonly registry: ModelRegistry,
    readonly name: string,
    readonly alias: string,
    private readonly refreshMs: number,
    private readonly events: ProviderEvents = {},
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The serving model. Warm: at once, with a background check when one is due. Cold: after the
   * first load (bounded by the store's timeouts). Throws NoModelError when none can serve.
   */
  async current(): Promise<ServingModel> {
    const due = this.now() - this.checkedAt >= this.refreshMs;
    if (this.model) {
      if (due) this.refreshInBackground();
      return this.model;
    }
    // Cold: wait for the first check, or the one running; after a failed one, answer at once until the next is due.
    if (due || this.pending) await this.refreshNow();
    if (this.model) return this.model;
    if (this.lastError)
      throw new NoModelError(`no model is loaded: ${this.lastError.message}`, this.lastErrorUnavailable);
    throw new NoModelError(`model ${this.name} has no "${this.alias}" alias yet`);
  }

  /** The loaded model without triggering anything (for /health, /metrics and the shadow). */
  peek(): ServingModel | null {
    return this.model;
  }

  /**
   * One check at a time; concurrent callers share it. `fresh` asks for a check that starts
   * after now (a change was just made): it waits for the running one and then runs again.
   */
  refreshNow(fresh = false): Promise<void> {
    if (fresh && this.pending) return this.pending.then(() => this.refreshNow());
    this.pending ??= this.refresh().finally(() => (this.pending = null));
    return this.pending;
  }

  /** Starts a check if one is due, without waiting for it (failures land in the status and the events). */
  refreshInBackground(): void {
    if (this.now() - this.checkedAt >= this.refreshMs && !this.pending) void this.refreshNow();
  }

  status(): ProviderStatus {
    return {
      name: this.name,
      alias: this.alias,
      loaded: this.model !== null,
      version: this.model?.version ?? null,
      pointer: this.pointer !== null && this.pointer !== this.model?.version ? this.pointer : null,
      lastCheck: this.checkedAt ? new Date(this.checkedAt).toISOString() : null,
      fallback: this.fallback,
      lastError: this.lastError,
    };
  }

  private async refresh(): Promise<void> {
    let doc: AliasDocument | null;
    try {
      doc = await this.registry.getAlias(this.name, this.alias);
    } catch (err) {
      this.fail(null, err as Error);
      return;
    }
    this.checkedAt = this.now();
    this.pointer = doc?.version ?? null;
    if (!doc) return;
    const wanted = doc.version;
    if (this.model?.version === wanted) {
      this.fallback = null;
      this.lastError = null;
      return;
    }
    const refusal = this.refused.get(wanted);
    if (refusal && this.model) return; // already refused; keep serving what serves
    if (!refusal) {
      const loaded = await this.tryLoad(wanted);
      if (loaded) {
        this.fallback = null;
        return;
      }
    }
    // A cold container with nothing to serve: the newest earlier version that verifies.
    if (!this.model && this.refused.has(wanted)) await this.fallBack(doc);
  }

  private async tryLoad(version: string): Promise<boolean> {
    try {
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
      return true;
    } catch (err) {
      // A version that fails verification is refused until the alias moves; anything else
      // (storage down, access denied while a role propagates, an unexpected error) is retried.
      if (failsVerification(err)) this.refused.set(version, publicReason(err));
      this.fail(version, err as Error);
      return false;
    }
  }

  private async fallBack(doc: AliasDocument): Promise<void> {
    const wanted = doc.version;
    let event: AliasDocument['event'] | null = doc.event;
    for (let steps = 0; event && steps < MAX_FALLBACK_STEPS; steps++) {
      const earlier = event.from;
      if (earlier && earlier !== wanted && !this.refused.has(earlier) && (await this.tryLoad(earlier))) {
        const reason = `the alias points at ${wanted}, which was refused (${this.refused.get(wanted)}); serving ${earlier}, the newest earlier version that verifies`;
        this.fallback = { wanted, serving: earlier, reason };
        this.lastError = {
          version: wanted,
          message: this.refused.get(wanted) ?? 'refused',
          at: new Date(this.now()).toISOString(),
        };
        this.events.onFallback?.(wanted, earlier, reason);
        return;
      }
      try {
        const previous: RegistryEvent | null = event.previousEventId
          ? await this.registry.historyEvent(this.name, event.previousEventId)
          : null;
        event = previous?.kind === 'alias' ? previous : null;
      } catch (err) {
        this.fail(null, err as Error);
        return;
      }
    }
  }

  private fail(version: string | null, err: Error): void {
    // Counts as a check: the next is due one interval later, not at the next request.
    this.checkedAt = this.now();
    this.lastErrorUnavailable = isStorageUnavailable(err);
    this.lastError = { version, message: publicReason(err), at: new Date(this.now()).toISOString() };
    this.events.onRefuse?.(version, err);
  }
}

/** Failures that say the version itself is bad (a checksum, the format, a missing file or manifest), not the way to it. */
function failsVerification(err: unknown): boolean {
  return (
    err instanceof ArtifactError ||
    (err instanceof RegistryError && (err.code === 'invalid' || err.code === 'not_found'))
  );
}

/**
 * Models loaded by version rather than by alias, for routes that name a version (the Open
 * Inference Protocol's versioned infer). A version never changes once published, so a loaded
 * one stays valid; the few most recently used are kept, and a version an alias already serves
 * is reused instead of loaded twice. Concurrent requests for the same version share one load.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import { Predictor } from './predictor.ts';

export interface VersionModel {
  name: string;
  version: string;
  predictor: Predictor;
}

export class VersionModels {
  private readonly loaded = new Map<string, Promise<VersionModel>>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly name: string,
    /** Versions kept loaded, beyond those the aliases serve. */
    private readonly capacity = 2,
  ) {}

  /** The model of `version`; `served` lists what the aliases have loaded (reused when it matches). */
  get(version: string, served: VersionModel[] = []): Promise<VersionModel> {
    const serving = served.find((m) => m.version === version);
    if (serving) return Promise.resolve(serving);
    let model = this.loaded.get(version);
    if (model) {
      // Most recently used last: the first key is the one to evict.
      this.loaded.delete(version);
      this.loaded.set(version, model);
      return model;
    }
    model = this.registry
      .loadVersion(this.name, version)
      .then((v) => ({ name: this.name, version, predictor: new Predictor(v.bundle) }));
    // A failed load is not kept: the next request tries again (storage may be back).
    model.catch(() => this.loaded.get(version) === model && this.loaded.delete(version));
    this.loaded.set(version, model);
    while (this.loaded.size > this.capacity) this.loaded.delete(this.loaded.keys().next().value!);
    return model;
  }
}

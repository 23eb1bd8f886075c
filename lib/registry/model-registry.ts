/**
 * The model registry on an ObjectStore. Layout under `models/{name}/`:
 *   versions/{version}/{file}      the artifact's files, written once, never changed;
 *                                  manifest.json is written last, so a version without it is
 *                                  incomplete and invisible
 *   versions/{version}/registration.json   who registered it, when, from what
 *   aliases/{alias}.json           a pointer: { alias, version, eventId, movedAt }
 *   history/{eventId}.json         one object per alias move or traffic change: append-only by
 *                                  construction
 *   traffic.json                   the traffic policy (lib/release): who gets which alias
 *
 * Writers never overwrite a version (ids are time-ordered and random) and never rewrite history
 * (each move is a new key), so concurrent writers cannot lose either. An alias only ever moves
 * to a complete version.
 */
import { filesToBundle, MANIFEST_FILE, type ArtifactManifest, type ModelBundle } from '../artifact/model-bundle.ts';
import { trafficPolicySchema, type TrafficPolicy } from '../release/traffic-policy.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJson } from '../storage/read-json.ts';
import { timeOrderedId } from '../util/ids.ts';

export interface Registration {
  name: string;
  version: string;
  createdAt: string;
  createdBy: string;
  /** What it was trained from, e.g. a data key or file name. */
  source?: string;
  reason?: string;
}

export interface AliasPointer {
  alias: string;
  version: string;
  eventId: string;
  movedAt: string;
}

export interface AliasEvent {
  kind: 'alias';
  eventId: string;
  at: string;
  name: string;
  alias: string;
  from: string | null;
  to: string;
  reason: string;
  actor: string;
  /** Anything that explains the decision (e.g. the numbers behind an automatic rollback). */
  details?: Record<string, unknown>;
}

export interface TrafficEvent {
  kind: 'traffic';
  eventId: string;
  at: string;
  name: string;
  from: TrafficPolicy | null;
  to: TrafficPolicy;
  reason: string;
  actor: string;
  details?: Record<string, unknown>;
}

export type RegistryEvent = AliasEvent | TrafficEvent;

export interface LoadedVersion {
  bundle: ModelBundle;
  manifest: ArtifactManifest;
  registration: Registration | null;
  bytes: number;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    readonly code: 'not_found' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const JSON_TYPE = 'application/json';

export class ModelRegistry {
  constructor(
    readonly store: ObjectStore,
    private readonly prefix = 'models',
  ) {}

  private base(name: string): string {
    if (!NAME.test(name)) throw new RegistryError(`invalid model name "${name}"`);
    return `${this.prefix}/${name}`;
  }

  private versionKey(name: string, version: string, file: string): string {
    if (!NAME.test(version)) throw new RegistryError(`invalid version "${version}"`);
    return `${this.base(name)}/versions/${version}/${file}`;
  }

  /** Writes a new version (manifest last) and returns its registration. */
  async publish(name: string, files: Map<string, Uint8Array>, meta: { createdBy: string; source?: string; reason?: string }): Promise<Registration> {
    if (!files.has(MANIFEST_FILE)) throw new RegistryError('cannot publish an artifact without a manifest');
    const version = timeOrderedId();
    const registration: Registration = { name, version, createdAt: new Date().toISOString(), ...meta };
    for (const [file, bytes] of files) {
      if (file !== MANIFEST_FILE) await this.store.put(this.versionKey(name, version, file), bytes);
    }
    await this.store.put(this.versionKey(name, version, 'registration.json'), encode(registration), { contentType: JSON_TYPE });
    await this.store.put(this.versionKey(name, version, MANIFEST_FILE), files.get(MANIFEST_FILE)!, { contentType: JSON_TYPE });
    return registration;
  }

  async listModels(): Promise<string[]> {
    return this.store.listChildren(`${this.prefix}/`);
  }

  /** Complete versions (manifest present), oldest first. */
  async listVersions(name: string): Promise<string[]> {
    const prefix = `${this.base(name)}/versions/`;
    const keys = await this.store.list(prefix);
    return keys.filter((k) => k.endsWith(`/${MANIFEST_FILE}`)).map((k) => k.slice(prefix.length, -MANIFEST_FILE.length - 1));
  }

  async isComplete(name: string, version: string): Promise<boolean> {
    return this.store.exists(this.versionKey(name, version, MANIFEST_FILE));
  }

  async registration(name: string, version: string): Promise<Registration | null> {
    return this.readJson<Registration>(this.versionKey(name, version, 'registration.json'));
  }

  private readJson<T>(key: string): Promise<T | null> {
    return readJson<T>(this.store, key);
  }

  /** Reads every file of a version and verifies it (checksums, format, consistency). */
  async loadVersion(name: string, version: string): Promise<LoadedVersion> {
    const manifestBytes = await this.store.get(this.versionKey(name, version, MANIFEST_FILE));
    if (!manifestBytes) throw new RegistryError(`model ${name} has no complete version ${version}`, 'not_found');
    const manifest = decode<ArtifactManifest>(manifestBytes);
    const files = new Map<string, Uint8Array>([[MANIFEST_FILE, manifestBytes]]);
    // All files at once: a cold start waits for the slowest object, not for their sum.
    const names = Object.keys(manifest.files ?? {});
    const [contents, registration] = await Promise.all([Promise.all(names.map((file) => this.store.get(this.versionKey(name, version, file)))), this.registration(name, version)]);
    let bytes = manifestBytes.byteLength;
    names.forEach((file, i) => {
      const content = contents[i];
      if (content) {
        files.set(file, content);
        bytes += content.byteLength;
      }
    });
    const { bundle } = filesToBundle(files);
    return { bundle, manifest, registration, bytes };
  }

  async getAlias(name: string, alias: string): Promise<AliasPointer | null> {
    return this.readJson<AliasPointer>(this.aliasKey(name, alias));
  }

  async listAliases(name: string): Promise<AliasPointer[]> {
    const prefix = `${this.base(name)}/aliases/`;
    const pointers = await Promise.all((await this.store.list(prefix)).map((key) => this.readJson<AliasPointer>(key)));
    return pointers.filter((p): p is AliasPointer => p !== null);
  }

  /**
   * Points an alias at a complete version: the move is recorded in the history first, then
   * the pointer is written, so no pointer state exists that the history does not explain.
   */
  async setAlias(name: string, alias: string, version: string, meta: { reason: string; actor: string; details?: Record<string, unknown> }): Promise<AliasEvent> {
    if (!(await this.isComplete(name, version))) throw new RegistryError(`model ${name} has no complete version ${version}`, 'not_found');
    const current = await this.getAlias(name, alias);
    const now = new Date();
    const event: AliasEvent = {
      kind: 'alias',
      eventId: timeOrderedId(now),
      at: now.toISOString(),
      name,
      alias,
      from: current?.version ?? null,
      to: version,
      reason: meta.reason,
      actor: meta.actor,
      ...(meta.details ? { details: meta.details } : {}),
    };
    const pointer: AliasPointer = { alias, version, eventId: event.eventId, movedAt: event.at };
    await this.recordThenWrite(name, event, this.aliasKey(name, alias), pointer);
    return event;
  }

  /** Every alias move and traffic change, oldest first; with `alias`, that alias's moves only. */
  async history(name: string): Promise<RegistryEvent[]>;
  async history(name: string, alias: string): Promise<AliasEvent[]>;
  async history(name: string, alias?: string): Promise<RegistryEvent[]> {
    const keys = await this.store.list(`${this.base(name)}/history/`);
    const events = (await Promise.all(keys.map((key) => this.readJson<RegistryEvent>(key)))).filter((e): e is RegistryEvent => e !== null).map(withKind);
    return alias ? events.filter((e) => e.kind === 'alias' && e.alias === alias) : events;
  }

  /** The traffic policy, or null when none was set (serve the configured alias). */
  async getTrafficPolicy(name: string): Promise<TrafficPolicy | null> {
    const json = await this.readJson<unknown>(`${this.base(name)}/traffic.json`);
    if (json === null) return null;
    const parsed = trafficPolicySchema.safeParse(json);
    if (!parsed.success) throw new RegistryError(`model ${name} has an unreadable traffic policy: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Replaces the traffic policy, recording the change (from, to, why, who) in the history first. */
  async setTrafficPolicy(name: string, policy: TrafficPolicy, meta: { reason: string; actor: string; details?: Record<string, unknown> }): Promise<TrafficEvent> {
    const now = new Date();
    const event: TrafficEvent = {
      kind: 'traffic',
      eventId: timeOrderedId(now),
      at: now.toISOString(),
      name,
      from: await this.getTrafficPolicy(name),
      to: policy,
      reason: meta.reason,
      actor: meta.actor,
      ...(meta.details ? { details: meta.details } : {}),
    };
    await this.recordThenWrite(name, event, `${this.base(name)}/traffic.json`, policy);
    return event;
  }

  /** Appends the event to the history, then writes the state it explains: never state without its record. */
  private async recordThenWrite(name: string, event: RegistryEvent, key: string, value: unknown): Promise<void> {
    await this.store.put(`${this.base(name)}/history/${event.eventId}.json`, encode(event), { contentType: JSON_TYPE });
    await this.store.put(key, encode(value), { contentType: JSON_TYPE });
  }

  private aliasKey(name: string, alias: string): string {
    if (!NAME.test(alias)) throw new RegistryError(`invalid alias "${alias}"`);
    return `${this.base(name)}/aliases/${alias}.json`;
  }
}

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

function decode<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Events written before events had a kind are alias moves. */
function withKind(event: RegistryEvent): RegistryEvent {
  return event.kind ? event : { ...(event as Omit<AliasEvent, 'kind'>), kind: 'alias' };
}

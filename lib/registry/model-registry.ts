/**
 * The model registry: versions, aliases, the traffic policy and their history, on the state
 * layer (lib/state: the keys, the schemas, compare-and-swap documents).
 *
 * Versions are written once under new keys, manifest last, so a version without a manifest is
 * incomplete and invisible. An alias is a document that names its version and the move that set
 * it; a move is a compare-and-swap on that document, so its `from` is the version it actually
 * replaced and the alias's history is one unbroken chain (each event names the one before).
 * Only versions that verify (every file's sha256, the ensemble) are ever pointed at. The
 * traffic policy is one document with a revision that every change increments. The history is
 * read newest first a page at a time (event-timeline.ts): a page costs its size, not the history's.
 */
import {
  ArtifactError,
  filesToBundle,
  MANIFEST_FILE,
  readManifest,
  sha256,
  type ArtifactManifest,
  type ModelBundle,
} from '../artifact/model-bundle.ts';
import { storedMetricsSchema } from '../artifact/stored-metrics.ts';
import { CorruptDocumentError, DocumentStore } from '../state/document-store.ts';
import { EventTimeline } from './event-timeline.ts';
import { allWritten, PublishError, removeFailedVersion } from './failed-publish.ts';
import {
  CONTRACT_FILE,
  contractBytes,
  contractOf,
  contractOfFiles,
  diffContracts,
  parseContract,
  type ContractDifference,
  type ModelContract,
} from './model-contract.ts';
import { parseStoredSpec, type DatasetSpec } from '../data/spec.ts';
import type { Page, PageRequest } from './pagination.ts';
import type { PolicyFailure, PolicyVerdict } from '../state/promotion-policy-schema.ts';
import { KeyError, keys, parseVersionKey, PREFIXES } from '../state/layout.ts';
import {
  aliasDocumentSchema,
  promotionPolicyDocumentSchema,
  registrationSchema,
  registryEventSchema,
  trafficDocumentSchema,
  type AliasDocument,
  type AliasEvent,
  type Registration,
  type RegistryEvent,
  type TrafficDocument,
  type TrafficEvent,
} from '../state/schemas.ts';
import { policyAliases, resolvePolicy, type TrafficPolicy } from '../state/traffic-policy.ts';
import { StorageError, type ObjectStore } from '../storage/object-store.ts';
import { mapLimit } from '../util/map-limit.ts';
import { parseTimeOrderedId, timeOrderedId } from '../util/ids.ts';

export type { AliasDocument, AliasEvent, Registration, RegistryEvent, TrafficDocument, TrafficEvent };

export interface LoadedVersion {
  bundle: ModelBundle;
  manifest: ArtifactManifest;
  registration: Registration | null;
  bytes: number;
  /** The ETag of the manifest read: what a verification is remembered by. */
  manifestEtag: string;
  /** What the version takes and answers (model-contract.ts), derived from its verified spec and preprocessor. */
  contract: ModelContract;
}

/** Verified versions remembered per registry (a container's): enough for every version a lender keeps live. */
const VERIFIED_REMEMBERED = 1_000;

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    /** not_found: no such version or alias; invalid: a bad name, or a version that fails verification; conflict: the state moved on. */
    readonly code: 'not_found' | 'invalid' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}

/**
 * A move refused because the version's contract differs from the one it would replace (the
 * alias's current version, or a traffic policy's primary route's): each difference named.
 * `force` with a reason moves it anyway, and the move's event records the differences.
 */
export class ContractMismatchError extends RegistryError {
  override name = 'ContractMismatchError';
  constructor(
    message: string,
    readonly differences: ContractDifference[],
  ) {
    super(message, 'conflict');
  }
}

/**
 * A move refused by the model's promotion policy (lib/release/promotion-policy.ts): each failed
 * gate named with the version's number and the limit. The same `force` with a reason that
 * overrides a contract check moves it anyway, and the event's details.policy records the gates.
 */
export class PolicyRefusedError extends RegistryError {
  override name = 'PolicyRefusedError';
  constructor(
    message: string,
    readonly failed: PolicyFailure[],
  ) {
    super(message, 'conflict');
  }
}

/** A contract check's result for a move: the version replaced, the one moved to, how their contracts differ. */
export interface ContractComparison {
  from: string | null;
  to: string;
  differences: ContractDifference[];
}

/** Where a move chosen from the alias's current state goes (null: nowhere), with what explains the choice. */
export type MoveChoice = string | null | { to: string; details: Record<string, unknown> };

export interface MoveMeta {
  reason: string;
  actor: string;
  details?: Record<string, unknown>;
  /**
   * Move only if the alias points at this version now (null: only if it does not exist yet);
   * otherwise a 'conflict' RegistryError. Makes a retried promote or rollback safe.
   */
  expectedFrom?: string | null;
  /**
   * Move even to a version whose contract differs from the alias's current one (otherwise a
   * ContractMismatchError); the event's details.contract then records {forced, differences}.
   * The caller asks for a reason (the HTTP API: 400 without one).
   */
  force?: boolean;
  /**
   * The promotion policy's verdict on the version moved to (lib/release/promotion-gate.ts), asked
   * inside the swap; a failed gate is a PolicyRefusedError unless `force`. Without it (rollback, a
   * canary's own promotion) the move is not gated.
   */
  gate?: (version: string) => Promise<PolicyVerdict | null>;
}

/** What a traffic change asks for; null from the decision means "leave it as it is". */
export interface TrafficChange extends MoveMeta {
  policy: TrafficPolicy;
  pendingPromotion?: TrafficDocument['pendingPromotion'];
}

const JSON_TYPE = 'application/json';
/** The page size history() reads the whole history with (S3's most keys a listing). */
const WHOLE_HISTORY_PAGE = 1000;
/**
 * Traffic changes read to recover the last revision: writers' clocks can differ by a little, so
 * the highest revision is among the newest few events, not always the newest one.
 */
const RECENT_TRAFFIC_CHANGES = 50;

export class ModelRegistry {
  readonly docs: DocumentStore;
  private readonly timeline: EventTimeline;

  /**
   * Versions that passed verification, by the ETag of their manifest. A version's files are each
   * written once (create-only) and the manifest lists their sha256, so one that verified needs
   * only its manifest read again to be trusted: a promote does not re-read and re-hash a 600 KB
   * ensemble every time (20 concurrent promotes on a loaded machine timed out doing that). A
   * manifest with another ETag is verified afresh. Serving still verifies every file it loads.
   */
  private readonly verified = new Map<string, { etag: string; contract: ModelContract }>();
  /** Verifications under way, by version: checkVersion's callers share one. */
  private readonly verifying = new Map<string, Promise<ModelContract>>();

  constructor(readonly store: ObjectStore) {
    this.docs = new DocumentStore(store);
    this.timeline = new EventTimeline(this.docs);
  }

  /**
   * Writes a new version (every file created once, the manifest last) and returns its registration.
   * A failure on the way is a PublishError that says what became of the files written (failed-publish.ts).
   */
  async publish(
    name: string,
    files: Map<string, Uint8Array>,
    meta: { createdBy: string; source?: string; reason?: string },
  ): Promise<Registration> {
    if (!files.has(MANIFEST_FILE)) throw new RegistryError('cannot publish an artifact without a manifest');
    const version = timeOrderedId();
    const registration: Registration = { name, version, createdAt: new Date().toISOString(), ...meta };
    const contract = publishedContract(files);
    let written = 0;
    const counted = (write: Promise<unknown>): Promise<void> => write.then(() => void (written += 1));
    try {
      await allWritten(
        [...files]
          .filter(([file]) => file !== MANIFEST_FILE)
          .map(([file, bytes]) => counted(this.createObject(keys.versionFile(name, version, file), bytes))),
      );
      await counted(
        this.docs.create(keys.versionFile(name, version, 'registration.json'), registrationSchema, registration),
      );
      await counted(
        this.createObject(keys.versionFile(name, version, CONTRACT_FILE), contractBytes(contract), JSON_TYPE),
      );
      await this.createObject(keys.versionFile(name, version, MANIFEST_FILE), files.get(MANIFEST_FILE)!, JSON_TYPE);
    } catch (err) {
      throw new PublishError(
        await removeFailedVersion(
          this.store,
          version,
          keys.versionPrefix(name, version),
          keys.versionFile(name, version, MANIFEST_FILE),
          written,
        ),
        err,
      );
    }
    return registration;
  }

  private async createObject(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    const outcome = await this.store.put(key, bytes, { contentType, condition: { ifNoneMatch: '*' } });
    if (!outcome.written) throw new RegistryError(`${key} already exists: versions are written once`);
  }

  async listModels(): Promise<string[]> {
    return this.store.listChildren(PREFIXES.models);
  }

  /** Complete versions (manifest present), oldest first. */
  async listVersions(name: string): Promise<string[]> {
    return (await this.versionFiles(name)).filter((v) => v.complete).map((v) => v.version);
  }

  /** Versions with files but no manifest: uploads that broke off (or are still being written). */
  async listIncompleteVersions(name: string): Promise<string[]> {
    return (await this.versionFiles(name)).filter((v) => !v.complete).map((v) => v.version);
  }

  private async versionFiles(name: string): Promise<{ version: string; complete: boolean }[]> {
    const byVersion = new Map<string, boolean>();
    for (const key of await this.store.list(this.checked(() => keys.versionsPrefix(name)))) {
      const parsed = parseVersionKey(name, key);
      if (parsed)
        byVersion.set(parsed.version, (byVersion.get(parsed.version) ?? false) || parsed.file === MANIFEST_FILE);
    }
    return [...byVersion]
      .map(([version, complete]) => ({ version, complete }))
      .sort((a, b) => a.version.localeCompare(b.version));
  }

  /** Deletes an incomplete version's files (never a complete one: versions are immutable). */
  async deleteIncompleteVersion(name: string, version: string): Promise<number> {
    if (await this.isComplete(name, version))
      throw new RegistryError(`version ${version} is complete and is never deleted`);
    const files = await this.store.list(keys.versionPrefix(name, version));
    await mapLimit(files, 8, (key) => this.store.delete(key));
    return files.length;
  }

  async isComplete(name: string, version: string): Promise<boolean> {
    return this.store.exists(this.checked(() => keys.versionFile(name, version, MANIFEST_FILE)));
  }

  /** One stored file of a version, unverified (null when absent); a malformed name is a RegistryError. */
  async versionObject(name: string, version: string, file: string): Promise<{ bytes: Uint8Array } | null> {
    return this.store.get(this.checked(() => keys.versionFile(name, version, file)));
  }

  async registration(name: string, version: string): Promise<Registration | null> {
    return this.docs.value(keys.versionFile(name, version, 'registration.json'), registrationSchema);
  }

  /** Reads every file of a version and verifies it (checksums, format, consistency). */
  async loadVersion(name: string, version: string): Promise<LoadedVersion> {
    const manifestObject = await this.store.get(this.checked(() => keys.versionFile(name, version, MANIFEST_FILE)));
    if (!manifestObject) throw new RegistryError(`model ${name} has no complete version ${version}`, 'not_found');
    const manifestBytes = manifestObject.bytes;
    const listed = Object.keys(readManifest(manifestBytes).files);
    const files = new Map<string, Uint8Array>([[MANIFEST_FILE, manifestBytes]]);
    // All files at once: a cold start waits for the slowest object, not for their sum.
    // The registration is who and when, not the model: one that cannot be read does not refuse the version.
    const [contents, registration] = await Promise.all([
      Promise.all(listed.map((file) => this.store.get(keys.versionFile(name, version, file)))),
      this.registration(name, version).catch((err: unknown) => {
        if (err instanceof CorruptDocumentError) return null;
        throw err;
      }),
    ]);
    let bytes = manifestBytes.byteLength;
    listed.forEach((file, i) => {
      const content = contents[i];
      if (content) {
        files.set(file, content.bytes);
        bytes += content.bytes.byteLength;
      }
    });
    const { bundle, manifest } = filesToBundle(files);
    return {
      bundle,
      manifest,
      registration,
      bytes,
      manifestEtag: manifestObject.etag,
      contract: contractOf(manifest.name, bundle.spec, bundle.preprocessor),
    };
  }

  /** A version's cross-validated macro F1 (from its metrics.json), or null when it has none that reads. */
  async versionScore(name: string, version: string): Promise<number | null> {
    const object = await this.store.get(keys.versionFile(name, version, 'metrics.json'));
    if (!object) return null;
    try {
      const parsed = storedMetricsSchema.safeParse(JSON.parse(new TextDecoder().decode(object.bytes)));
      return parsed.success ? parsed.data.cv.f1_macro : null;
    } catch {
      return null;
    }
  }

  /** loadVersion for a version about to be pointed at: a failed check is a RegistryError ('invalid' or 'not_found'). */
  async verifyVersion(name: string, version: string): Promise<LoadedVersion> {
    try {
      const [loaded, stored] = await Promise.all([
        this.loadVersion(name, version),
        this.versionObject(name, version, CONTRACT_FILE),
      ]);
      // The stored contract is a copy for cheap reads: it must say what the verified files say.
      if (stored && diffStored(stored.bytes, loaded.contract))
        throw new ArtifactError(`${CONTRACT_FILE} does not match the version's spec and preprocessor`);
      this.remember(name, version, loaded.manifestEtag, loaded.contract);
      return loaded;
    } catch (err) {
      if (err instanceof ArtifactError)
        throw new RegistryError(`version ${version} fails verification: ${err.message}`, 'invalid');
      throw err;
    }
  }

  /**
   * verifyVersion for a move, answering the version's contract: a version verified before (by
   * this registry) with the same manifest costs one read of its manifest; a failed check is a
   * RegistryError as there.
   */
  async checkVersion(name: string, version: string): Promise<ModelContract> {
    const remembered = this.verified.get(`${name}/${version}`);
    if (remembered !== undefined) {
      const manifest = await this.store.get(this.checked(() => keys.versionFile(name, version, MANIFEST_FILE)));
      if (manifest?.etag === remembered.etag) return remembered.contract;
    }
    // One verification at a time per version: 15 traffic changes naming a version not verified
    // yet each read and hashed its 600 KB ensemble at once, and ran past their time budget on a
    // loaded machine. Those that arrive meanwhile wait for it (a failure fails them all alike).
    const id = `${name}/${version}`;
    let running = this.verifying.get(id);
    if (!running) {
      running = this.verifyVersion(name, version).then((loaded) => loaded.contract);
      this.verifying.set(id, running);
      void running.then(
        () => this.verifying.delete(id),
        () => this.verifying.delete(id),
      );
    }
    return running;
  }

  /**
   * A version's contract without verifying the version (a version an alias already points at,
   * which may be the broken one being replaced): remembered from a verification with the same
   * manifest, else its contract.json, else (versions published before contracts were stored)
   * derived from its spec.json and preprocessor.json, each checked against the manifest's sha256.
   * Null when it cannot be read: a move away from an unreadable version is not refused for it.
   */
  async versionContract(name: string, version: string): Promise<ModelContract | null> {
    const manifestObject = await this.store.get(this.checked(() => keys.versionFile(name, version, MANIFEST_FILE)));
    if (!manifestObject) return null;
    const remembered = this.verified.get(`${name}/${version}`);
    if (remembered?.etag === manifestObject.etag) return remembered.contract;
    const stored = await this.versionObject(name, version, CONTRACT_FILE);
    if (stored) return parseContract(stored.bytes);
    try {
      const manifest = readManifest(manifestObject.bytes);
      const [spec, preprocessor] = await Promise.all(
        ['spec.json', 'preprocessor.json'].map((file) => this.versionObject(name, version, file)),
      );
      if (!spec || !preprocessor) return null;
      if (
        sha256(spec.bytes) !== manifest.files['spec.json']?.sha256 ||
        sha256(preprocessor.bytes) !== manifest.files['preprocessor.json']?.sha256
      )
        return null;
      return contractOfFiles(manifest.name, spec.bytes, preprocessor.bytes);
    } catch (err) {
      if (err instanceof StorageError) throw err;
      return null; // not JSON, not a spec: unreadable
    }
  }

  /** The spec a version was trained with, checked against its manifest's sha256 (what a retrain of that model trains with). */
  async versionSpec(name: string, version: string): Promise<DatasetSpec> {
    const manifestObject = await this.store.get(this.checked(() => keys.versionFile(name, version, MANIFEST_FILE)));
    if (!manifestObject) throw new RegistryError(`${name} ${version} does not exist`, 'not_found');
    const spec = await this.versionObject(name, version, 'spec.json');
    if (!spec || sha256(spec.bytes) !== readManifest(manifestObject.bytes).files['spec.json']?.sha256)
      throw new RegistryError(`${name} ${version} has no spec.json that matches its manifest`, 'invalid');
    return parseStoredSpec(JSON.parse(new TextDecoder().decode(spec.bytes)) as unknown, `${name} ${version} spec.json`);
  }

  private remember(name: string, version: string, etag: string, contract: ModelContract): void {
    const id = `${name}/${version}`;
    this.verified.delete(id); // re-inserted last: the map's order is the eviction order
    this.verified.set(id, { etag, contract });
    if (this.verified.size > VERIFIED_REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
  }

  /**
   * What promoting `version` to `alias` would change in the contract, without moving anything
   * (the console's dry run). The version is verified, as a move would verify it.
   */
  async compareWithAlias(name: string, alias: string, version: string): Promise<ContractComparison> {
    const doc = await this.getAlias(name, alias);
    const contract = await this.checkVersion(name, version);
    return {
      from: doc?.version ?? null,
      to: version,
      differences: await this.differencesFrom(name, alias, doc?.version ?? null, version, contract),
    };
  }

  /** How `to` (with `contract`) differs from the version `alias` points at now (none when it points nowhere, at `to`, or at an unreadable version). */
  private async differencesFrom(
    name: string,
    alias: string,
    from: string | null,
    to: string,
    contract: ModelContract,
  ): Promise<ContractDifference[]> {
    if (from === null || from === to) return [];
    const current = await this.versionContract(name, from);
    return current ? diffContracts({ label: alias, contract: current }, { label: to, contract }) : [];
  }

  async getAlias(name: string, alias: string): Promise<AliasDocument | null> {
    return this.docs.value(
      this.checked(() => keys.alias(name, alias)),
      aliasDocumentSchema,
    );
  }

  async listAliases(name: string): Promise<AliasDocument[]> {
    const found = await mapLimit(await this.store.list(keys.aliasesPrefix(name)), 8, (key) =>
      this.docs.value(key, aliasDocumentSchema),
    );
    return found.filter((a): a is AliasDocument => a !== null);
  }

  /**
   * Moves an alias by compare-and-swap. `target` is a version, or a choice made from the
   * alias's current state (rollback: where the last move came from); a choice of null leaves the
   * alias as it is and answers null. The target is verified before the move. The move's event
   * is part of the new pointer, then stored in the history (with its timeline copies).
   */
  async moveAlias(
    name: string,
    alias: string,
    target: string | ((current: AliasDocument | null) => MoveChoice | Promise<MoveChoice>),
    meta: MoveMeta,
  ): Promise<AliasEvent | null> {
    const key = this.checked(() => keys.alias(name, alias));
    const verified = new Map<string, ModelContract>();
    const event = await this.docs.update(key, aliasDocumentSchema, async (current) => {
      const doc = current?.value ?? null;
      if (doc) await this.timeline.record(name, doc.event, { repair: true }); // the previous move's record and copies, if its writer stopped short
      if (meta.expectedFrom !== undefined && (doc?.version ?? null) !== meta.expectedFrom) {
        throw new RegistryError(
          `alias "${alias}" points at ${doc?.version ?? 'nothing'}, not ${meta.expectedFrom ?? 'nothing'}: it moved meanwhile`,
          'conflict',
        );
      }
      const choice = typeof target === 'function' ? await target(doc) : target;
      if (choice === null) return { keep: true, result: null };
      const to = typeof choice === 'string' ? choice : choice.to;
      const details: Record<string, unknown> = {
        ...meta.details,
        ...(typeof choice === 'string' ? {} : choice.details),
      };
      let contract = verified.get(to);
      if (!contract) {
        contract = await this.checkVersion(name, to);
        verified.set(to, contract);
      }
      // Checked inside the swap: the version compared with is the one this move replaces.
      const differences = await this.differencesFrom(name, alias, doc?.version ?? null, to, contract);
      if (differences.length) {
        if (!meta.force)
          throw mismatch(`version ${to} cannot replace ${doc!.version} at alias "${alias}"`, differences);
        details.contract = { forced: true, differences };
      }
      const verdict = meta.gate ? await meta.gate(to) : null;
      if (verdict?.failed.length)
        details.policy = forcedPast(verdict, meta.force, `version ${to} cannot move to alias "${alias}"`);
      const now = new Date();
      const moved: AliasEvent = {
        kind: 'alias',
        eventId: timeOrderedId(now),
        at: now.toISOString(),
        name,
        alias,
        from: doc?.version ?? null,
        to,
        previousEventId: doc?.event.eventId ?? null,
        reason: meta.reason,
        actor: meta.actor,
        ...(Object.keys(details).length ? { details } : {}),
      };
      return { write: { alias, version: to, event: moved }, result: moved };
    });
    if (event) await this.recordCommitted(name, event);
    return event;
  }

  /**
   * One page of alias moves and traffic changes (with `alias`, that alias's moves only), newest
   * first: the latest `limit` before `before`; `next` is the `before` of the older page. Costs
   * the page (and the alias and traffic documents), not the history.
   */
  async historyPage(name: string, request: PageRequest, alias?: string): Promise<Page<RegistryEvent>> {
    // The latest move of each alias and the latest traffic change live in their documents too
    // (their timeline copies may not be written yet): the page merges them in.
    this.checked(() => keys.timelinePrefix(name, alias === undefined ? 'all' : { alias }));
    if (alias !== undefined) {
      return this.timeline.page(name, { alias }, request, async () => {
        const doc = await this.getAlias(name, alias);
        return doc ? [doc.event] : [];
      });
    }
    return this.timeline.page(name, 'all', request, async () => {
      const [aliases, traffic, policy] = await Promise.all([
        this.listAliases(name),
        this.getTraffic(name).catch(() => null),
        this.docs.value(keys.promotionPolicy(name), promotionPolicyDocumentSchema).catch(() => null),
      ]);
      return [...aliases.map((a) => a.event), ...(traffic ? [traffic.event] : []), ...(policy ? [policy.event] : [])];
    });
  }

  /** Every alias move and traffic change, oldest first; with `alias`, that alias's moves only. Reads it all: for tools and tests, not for requests. */
  async history(name: string): Promise<RegistryEvent[]>;
  async history(name: string, alias: string): Promise<AliasEvent[]>;
  async history(name: string, alias?: string): Promise<RegistryEvent[]> {
    const newestFirst: RegistryEvent[] = [];
    let before: string | undefined;
    do {
      const page = await this.historyPage(
        name,
        { limit: WHOLE_HISTORY_PAGE, ...(before !== undefined ? { before } : {}) },
        alias,
      );
      newestFirst.push(...page.items);
      before = page.next ?? undefined;
    } while (before !== undefined);
    return newestFirst.reverse();
  }

  /** Gives events stored before timelines existed their copies, once per model. */
  async ensureHistoryTimeline(name: string): Promise<void> {
    this.checked(() => keys.historyPrefix(name));
    await this.timeline.ensureBackfilled(name);
  }

  /**
   * Housekeeping of the history's timelines: the backfill (once), then the day bundles of every
   * timeline (all, traffic, each alias's) brought up to date, so pages read few documents.
   * Answers how many bundles it created or grew.
   */
  async maintainHistoryTimeline(name: string): Promise<number> {
    await this.ensureHistoryTimeline(name);
    const aliases = await this.listAliases(name);
    let changed = 0;
    for (const scope of ['all', 'traffic', 'policy', 'approval', ...aliases.map((a) => ({ alias: a.alias }))] as const)
      changed += await this.timeline.bundleDays(name, scope);
    return changed;
  }

  /** One recorded event, or null. */
  async historyEvent(name: string, eventId: string): Promise<RegistryEvent | null> {
    return this.docs.value(
      this.checked(() => keys.historyEvent(name, eventId)),
      registryEventSchema,
    );
  }

  /** The traffic document (policy, revision, since), or null when none was set. */
  async getTraffic(name: string): Promise<TrafficDocument | null> {
    return this.docs.value(keys.traffic(name), trafficDocumentSchema);
  }

  /**
   * Changes the traffic policy by compare-and-swap: `decide` sees the current document (null
   * when there is none, or with `replaceUnreadable`, when it cannot be read) and answers the new
   * policy, or null for no change. Each change is a new revision with its event. A change that
   * brings an alias into the policy whose version's contract differs from the primary route's is
   * a ContractMismatchError, unless `force` (the event's details.contract then records it).
   * `defaultAlias` is the alias served while no policy is stored (the router's MODEL_ALIAS): what
   * a first policy is compared with.
   */
  async changeTraffic(
    name: string,
    decide: (current: TrafficDocument | null) => TrafficChange | null,
    options: {
      replaceUnreadable?: boolean;
      force?: boolean;
      defaultAlias?: string;
      /** The promotion policy's verdict on what the change brings in (lib/release/promotion-gate.ts): a failed gate is a PolicyRefusedError unless `force`. */
      gate?: (before: TrafficPolicy | null, after: TrafficPolicy) => Promise<PolicyVerdict | null>;
    } = {},
  ): Promise<TrafficDocument | null> {
    const doc = await this.docs.update(
      keys.traffic(name),
      trafficDocumentSchema,
      async (current, { unreadable }) => {
        if (current && current.value.revision > 0)
          await this.timeline.record(name, current.value.event, { repair: true });
        const decided = decide(current?.value ?? null);
        if (!decided) return { keep: true, result: null };
        let change = decided;
        // Checked inside the swap: the policy compared with is the one this change replaces.
        const serving =
          current?.value.policy ??
          (options.defaultAlias !== undefined ? { mode: 'single' as const, alias: options.defaultAlias } : null);
        const differences = await this.trafficContractDifferences(name, serving, change.policy);
        if (differences.length) {
          if (!options.force) throw mismatch(`traffic policy ${change.policy.mode} cannot be set`, differences);
          change = { ...change, details: { ...change.details, contract: { forced: true, differences } } };
        }
        const verdict = options.gate ? await options.gate(serving, change.policy) : null;
        if (verdict?.failed.length)
          change = {
            ...change,
            details: {
              ...change.details,
              policy: forcedPast(verdict, options.force, `traffic policy ${change.policy.mode} cannot be set`),
            },
          };
        const now = new Date();
        // Replacing a document that cannot be read: the revisions go on from the history's last.
        const revision = (current?.value.revision ?? (unreadable ? await this.lastTrafficRevision(name) : 0)) + 1;
        const event: TrafficEvent = {
          kind: 'traffic',
          eventId: timeOrderedId(now),
          at: now.toISOString(),
          name,
          revision,
          from: current?.value.policy ?? null,
          to: change.policy,
          reason: change.reason,
          actor: change.actor,
          ...(change.details ? { details: change.details } : {}),
        };
        const next: TrafficDocument = {
          revision,
          policy: change.policy,
          since: event.at,
          event,
          ...(change.pendingPromotion ? { pendingPromotion: change.pendingPromotion } : {}),
        };
        return { write: next, result: next };
      },
      { onCorrupt: options.replaceUnreadable ? 'replace' : 'throw' },
    );
    if (doc) await this.recordCommitted(name, doc.event);
    return doc;
  }

  /**
   * How the aliases a new policy brings in (routes, standby, shadow not in the policy before)
   * differ in contract from the primary route's: the policy in force's first route (the single
   * alias, the first A/B variant, the canary's or shadow's champion, the active colour), or the
   * new one's when none is known. Aliases the policy already had were compared when they came
   * in, and every later move of theirs is compared with the version it replaces, so a change of
   * weights or a canary step reads nothing. Field names start with the alias compared.
   */
  private async trafficContractDifferences(
    name: string,
    before: TrafficPolicy | null,
    after: TrafficPolicy,
  ): Promise<ContractDifference[]> {
    const resolvedAfter = resolvePolicy(after);
    const had = new Set(before ? policyAliases(resolvePolicy(before)) : []);
    const primary = before ? resolvePolicy(before).routes[0].alias : resolvedAfter.routes[0].alias;
    const added = policyAliases(resolvedAfter).filter((alias) => !had.has(alias) && alias !== primary);
    if (!added.length) return [];
    const base = await this.getAlias(name, primary);
    const baseContract = base ? await this.versionContract(name, base.version) : null;
    if (!base || !baseContract) return [];
    const differences: ContractDifference[] = [];
    for (const alias of added) {
      const doc = await this.getAlias(name, alias);
      if (!doc || doc.version === base.version) continue; // a missing alias is the caller's 422
      const contract = await this.versionContract(name, doc.version);
      if (!contract) continue;
      const label = `${alias} (${doc.version})`;
      for (const d of diffContracts(
        { label: `${primary} (${base.version})`, contract: baseContract },
        { label, contract },
      ))
        differences.push({ field: `${alias}.${d.field}`, message: d.message });
    }
    return differences;
  }

  /** The highest revision among the newest traffic changes (the traffic document itself cannot be read). */
  private async lastTrafficRevision(name: string): Promise<number> {
    const { items } = await this.timeline.page(name, 'traffic', { limit: RECENT_TRAFFIC_CHANGES }, async () => []);
    return items.reduce((max, e) => (e.kind === 'traffic' ? Math.max(max, e.revision) : max), 0);
  }

  /** Removes a completed canary promotion from the traffic document (same revision: the policy did not change). */
  async clearPendingPromotion(name: string, revision: number): Promise<void> {
    await this.docs.update(keys.traffic(name), trafficDocumentSchema, (current) => {
      if (!current || current.value.revision !== revision || !current.value.pendingPromotion)
        return { keep: true, result: undefined };
      const { pendingPromotion: _done, ...rest } = current.value;
      return { write: rest, result: undefined };
    });
  }

  /**
   * The history record and copies of a change that is already committed: if they cannot be
   * written now, the change still happened (its event is in the document, which every history
   * page merges, and the next change writes them), so the caller is not told otherwise.
   */
  private async recordCommitted(name: string, event: RegistryEvent): Promise<void> {
    await this.timeline.record(name, event).catch(() => undefined);
  }

  /** A key built from user input: a bad name is the caller's mistake, not a storage fault. */
  private checked(build: () => string): string {
    try {
      return build();
    } catch (err) {
      if (err instanceof KeyError) throw new RegistryError(err.message, 'invalid');
      throw err;
    }
  }
}

/** The contract of the files about to be published; files that do not make one are refused before anything is written. */
function publishedContract(files: Map<string, Uint8Array>): ModelContract {
  const spec = files.get('spec.json');
  const preprocessor = files.get('preprocessor.json');
  try {
    if (!spec || !preprocessor) throw new Error('spec.json or preprocessor.json is missing');
    return contractOfFiles(readManifest(files.get(MANIFEST_FILE)!).name, spec, preprocessor);
  } catch (err) {
    throw new RegistryError(`cannot publish: the artifact's contract cannot be read (${(err as Error).message})`);
  }
}

/** Whether stored contract bytes say something else than `contract` (or nothing readable). */
function diffStored(bytes: Uint8Array, contract: ModelContract): boolean {
  const stored = parseContract(bytes);
  return !stored || diffContracts({ label: 'stored', contract: stored }, { label: 'derived', contract }).length > 0;
}

/** What a forced move records of the gates it failed; without force, the PolicyRefusedError that names them. */
function forcedPast(
  verdict: PolicyVerdict,
  force: boolean | undefined,
  what: string,
): { revision: number; forced: true; failed: PolicyFailure[] } {
  const listed = verdict.failed.map((f) => `${f.field}: ${f.message}`).join('; ');
  if (!force)
    throw new PolicyRefusedError(
      `${what}: it fails the promotion policy (revision ${verdict.revision}): ${listed}; send force with a reason to move it anyway`,
      verdict.failed,
    );
  return { revision: verdict.revision, forced: true, failed: verdict.failed };
}

/** A ContractMismatchError whose message lists every difference. */
function mismatch(what: string, differences: ContractDifference[]): ContractMismatchError {
  return new ContractMismatchError(
    `${what}: their contracts differ (${differences.map((d) => `${d.field}: ${d.message}`).join('; ')}); send force with a reason to move it anyway`,
    differences,
  );
}

/** The creation time of a version, from its time-ordered id (null for ids of another shape). */
export function versionCreatedAt(version: string): number | null {
  return parseTimeOrderedId(version);
}

/**
 * History pages at scale: 100,000 alias moves and traffic changes in the embedded S3 server, then
 * the time and the reads of a page of 100 (the newest, a deep one, one alias's), as
 * GET /model/history reads them (ModelRegistry.historyPage over HTTP to the server).
 *   npm run bench:history [-- --events 100000 --runs 9 --store process|inline --keep]
 * The events are written through the registry's own timeline code (EventTimeline.record: the
 * record and its two copies), then housekeeping's day bundles (maintainHistoryTimeline), into
 * s3rver's file store directly rather than over HTTP: the HTTP path takes 130-210 writes a second
 * on a shared two-core machine, half an hour for 300,000 objects. One event every 15 minutes:
 * about three years of day folders. Each page is measured before and after the bundles.
 * The server runs in its own process (`npm run s3`), as S3 or MinIO is to the service, or with
 * --store inline in this one (as in the tests; its work then counts against the page's time).
 * --keep leaves the server's folder (bench/out/history-PID) for a look.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EventTimeline } from '../lib/registry/event-timeline.ts';
import { ModelRegistry, type RegistryEvent } from '../lib/registry/model-registry.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { keys } from '../lib/state/layout.ts';
import { aliasDocumentSchema, trafficDocumentSchema } from '../lib/state/schemas.ts';
import type { S3rverFileStore } from '../lib/storage/embedded-s3-atomic-put.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { KeyPage, ObjectStore, PutOptions, PutOutcome, StoredObject } from '../lib/storage/object-store.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { mapLimit } from '../lib/util/map-limit.ts';
import { CountingStore } from '../test/counting-store.ts';
import { syntheticHistory } from '../test/synthetic-history.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '9' },
    store: { type: 'string', default: 'process' },
    keep: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const MODEL = 'credit-score';
const BUCKET = 'bench';
const PAGE = 100;
const log = (m: string): boolean => process.stderr.write(`${m}\n`);

/** s3rver's file store, with its listing (the one the server runs). */
interface FileStore extends S3rverFileStore {
  listObjects(
    bucket: string,
    options: { prefix: string; startAfter?: string; maxKeys: number },
  ): Promise<{ objects: { key: string }[]; isTruncated: boolean }>;
}

/**
 * s3rver's own file store (its putObject and listing, the files the server serves) without
 * HTTP, for writing the history fast; single-writer (no locks), so for seeding only. The
 * timeline code needs nothing else.
 */
class DirectFileStore implements ObjectStore {
  private readonly files: FileStore;

  constructor(directory: string) {
    const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js') as new (
      root: string,
    ) => FileStore;
    this.files = new FilesystemStore(directory);
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<PutOutcome> {
    const existing = await this.get(key);
    if (
      options.condition &&
      ('ifNoneMatch' in options.condition ? existing !== null : existing?.etag !== options.condition.ifMatch)
    )
      return { written: false };
    const content = Buffer.from(bytes);
    const { md5 } = await this.files.putObject({
      bucket: BUCKET,
      key,
      content,
      metadata: { 'content-type': options.contentType ?? 'application/octet-stream' },
      size: content.length,
    });
    return { written: true, etag: `"${md5}"` };
  }

  async get(key: string): Promise<StoredObject | null> {
    const path = this.files.getResourcePath(BUCKET, key, 'object');
    try {
      const [bytes, md5] = await Promise.all([readFile(path), readFile(`${path}.md5`, 'utf8')]);
      return { bytes: new Uint8Array(bytes), etag: `"${md5}"` };
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return null;
      throw err;
    }
  }

  exists(key: string): Promise<boolean> {
    return access(this.files.getResourcePath(BUCKET, key, 'object')).then(
      () => true,
      () => false,
    );
  }

  async listPage(prefix: string, options: { startAfter?: string; maxKeys: number }): Promise<KeyPage> {
    const out = await this.files.listObjects(BUCKET, {
      prefix,
      maxKeys: options.maxKeys,
      ...(options.startAfter !== undefined ? { startAfter: options.startAfter } : {}),
    });
    return { keys: out.objects.map((o) => o.key), more: out.isTruncated };
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for (let page: KeyPage | undefined; !page || page.more;) {
      page = await this.listPage(prefix, {
        maxKeys: 1000,
        ...(keys.length > 0 ? { startAfter: keys[keys.length - 1] } : {}),
      });
      keys.push(...page.keys);
      if (page.keys.length === 0) break;
    }
    return keys;
  }

  listChildren(): Promise<string[]> {
    return this.unused();
  }
  delete(): Promise<void> {
    return this.unused();
  }
  ping(): Promise<void> {
    return Promise.resolve();
  }
  private unused(): Promise<never> {
    return Promise.reject(new Error('the seeding store only writes'));
  }
}

/** The embedded server in a process of its own (scripts/s3-server.ts), on a free port. */
async function serverProcess(dataDirectory: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/s3-server.ts'], {
    env: { ...process.env, DATA_DIR: dataDirectory, S3_PORT: String(port), MODEL_BUCKET: BUCKET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the S3 server exited (${code})`)));
  });
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  return {
    endpoint,
    close: () =>
      new Promise((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')),
      ),
  };
}

const dataDirectory = `bench/out/history-${process.pid}`;
const directory = join(dataDirectory, 's3'); // where scripts/s3-server.ts keeps its buckets
const s3 =
  values.store === 'inline'
    ? await startEmbeddedS3({ directory, buckets: [BUCKET] })
    : await serverProcess(dataDirectory);
try {
  const http = S3ObjectStore.fromConfig({
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestTimeoutMs: 60_000,
  });
  const writer = new ModelRegistry(http);
  await writer.ensureHistoryTimeline(MODEL); // a model that had timelines from its first event

  // ---- the history: three aliases and the traffic policy, every event recorded with its copies
  const { events, latest } = syntheticHistory(
    MODEL,
    EVENTS,
    ['champion', 'traffic', 'challenger', 'champion', 'blue'],
    Date.now(),
    15 * 60_000,
  );
  const direct = new DirectFileStore(directory);
  const seeding = new EventTimeline(new DocumentStore(direct));
  let started = performance.now();
  await mapLimit(events, 64, (event) => seeding.record(MODEL, event));
  const seedSeconds = (performance.now() - started) / 1000;
  log(
    `wrote ${EVENTS.toLocaleString('en-US')} events (${(EVENTS * 3).toLocaleString('en-US')} objects) in ${seedSeconds.toFixed(1)} s`,
  );
  for (const [scope, event] of latest) {
    if (event.kind === 'alias')
      await writer.docs.create(keys.alias(MODEL, scope), aliasDocumentSchema, {
        alias: scope,
        version: event.to,
        event,
      });
    else if (event.kind === 'traffic')
      await writer.docs.create(keys.traffic(MODEL), trafficDocumentSchema, {
        revision: event.revision,
        policy: event.to,
        since: event.at,
        event,
      });
  }

  // ---- pages of 100, as the route reads them, each checked against the history written
  const newestFirst = [...events].reverse();
  const champion = newestFirst.filter((e) => e.kind === 'alias' && e.alias === 'champion');
  const cases: { what: string; before?: string; alias?: string; expected: RegistryEvent[] }[] = [
    { what: 'newest page', expected: newestFirst.slice(0, PAGE) },
    {
      what: `deep page (before the ${(90_000).toLocaleString('en-US')}th newest)`,
      before: newestFirst[Math.min(90_000, EVENTS - PAGE - 1)].eventId,
      expected: [],
    },
    { what: '?alias=champion, newest page', alias: 'champion', expected: champion.slice(0, PAGE) },
    {
      what: `?alias=champion, deep page (before its ${(35_000).toLocaleString('en-US')}th newest)`,
      alias: 'champion',
      before: champion[Math.min(35_000, champion.length - PAGE - 1)].eventId,
      expected: [],
    },
  ];
  for (const c of cases)
    if (c.before) c.expected = (c.alias ? champion : newestFirst).filter((e) => e.eventId < c.before!).slice(0, PAGE);

  /** Each case RUNS times with a fresh reader (its first call, with the backfill check and new connections, apart). */
  async function measure(): Promise<{ rows: string[]; coldMs: number }> {
    const counting = new CountingStore(http);
    const reader = new ModelRegistry(counting);
    let started = performance.now();
    await reader.historyPage(MODEL, { limit: PAGE });
    const coldMs = performance.now() - started;
    const rows: string[] = [];
    for (const c of cases) {
      const times: number[] = [];
      let reads = 0;
      let lists = 0;
      for (let run = 0; run < RUNS; run++) {
        counting.reset();
        started = performance.now();
        const page = await reader.historyPage(
          MODEL,
          { limit: PAGE, ...(c.before ? { before: c.before } : {}) },
          c.alias,
        );
        times.push(performance.now() - started);
        if (page.items.map((e) => e.eventId).join() !== c.expected.map((e) => e.eventId).join())
          throw new Error(`${c.what}: not the page expected`);
        reads = counting.count('get') + counting.count('exists');
        lists = counting.count('list') + counting.count('listPage');
      }
      times.sort((a, b) => a - b);
      rows.push(
        `${c.what} | ${times[Math.floor(times.length / 2)].toFixed(0)} ms | ${times[0].toFixed(0)}-${times[times.length - 1].toFixed(0)} ms | ${reads} | ${lists}`,
      );
    }
    return { rows, coldMs };
  }

  const copiesOnly = await measure();
  started = performance.now();
  const bundles = await new ModelRegistry(direct).maintainHistoryTimeline(MODEL);
  const bundleSeconds = (performance.now() - started) / 1000;
  log(`housekeeping made ${bundles} day bundles in ${bundleSeconds.toFixed(1)} s`);
  const bundled = await measure();

  const where = values.store === 'inline' ? 'in this process' : 'in its own process';
  console.log(
    `History pages of ${PAGE} at ${EVENTS.toLocaleString('en-US')} events (the embedded S3 server ${where}, over HTTP; median of ${RUNS} runs each)\n`,
  );
  console.log('| page | day bundles | median | range | reads (objects) | list calls |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of copiesOnly.rows) console.log(`| ${row.replace(' | ', ' | not yet | ')} |`);
  for (const row of bundled.rows) console.log(`| ${row.replace(' | ', ' | made | ')} |`);
  console.log(
    `\nfirst page of a fresh reader: ${copiesOnly.coldMs.toFixed(0)} ms, then ${bundled.coldMs.toFixed(0)} ms with bundles`,
  );
  console.log(
    `seeded in ${seedSeconds.toFixed(1)} s through s3rver's file store; housekeeping's ${bundles} bundles in ${bundleSeconds.toFixed(1)} s (${join(directory)})`,
  );
} finally {
  await s3.close();
  if (!values.keep) rmSync(dataDirectory, { recursive: true, force: true });
}

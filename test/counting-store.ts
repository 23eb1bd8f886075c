/** Test helper: an ObjectStore that counts the calls made through it, to hold a reader to how much it reads (not to how long it takes). */
import type {
  KeyPage,
  ListPageOptions,
  ObjectStore,
  PutOptions,
  PutOutcome,
  StoredObject,
} from '../lib/storage/object-store.ts';

export type StoreCall = 'get' | 'put' | 'exists' | 'list' | 'listPage' | 'listChildren' | 'delete' | 'ping';

export class CountingStore implements ObjectStore {
  readonly calls = new Map<StoreCall, number>();
  /** Keys every listing returned: what a listing costs the store (a page of 1,000 is not one key). */
  keysListed = 0;
  /** Keys read by get, in order: which documents a reader chose, not only how many. */
  readonly gotKeys: string[] = [];

  constructor(private readonly inner: ObjectStore) {}

  count(call: StoreCall): number {
    return this.calls.get(call) ?? 0;
  }

  reset(): void {
    this.calls.clear();
    this.keysListed = 0;
    this.gotKeys.length = 0;
  }

  private seen(call: StoreCall): void {
    this.calls.set(call, this.count(call) + 1);
  }

  get(key: string): Promise<StoredObject | null> {
    this.seen('get');
    this.gotKeys.push(key);
    return this.inner.get(key);
  }

  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<PutOutcome> {
    this.seen('put');
    return this.inner.put(key, bytes, options);
  }

  exists(key: string): Promise<boolean> {
    this.seen('exists');
    return this.inner.exists(key);
  }

  list(prefix: string): Promise<string[]> {
    this.seen('list');
    return this.inner.list(prefix).then((keys) => ((this.keysListed += keys.length), keys));
  }

  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage> {
    this.seen('listPage');
    return this.inner.listPage(prefix, options).then((page) => ((this.keysListed += page.keys.length), page));
  }

  listChildren(prefix: string): Promise<string[]> {
    this.seen('listChildren');
    return this.inner.listChildren(prefix).then((keys) => ((this.keysListed += keys.length), keys));
  }

  delete(key: string): Promise<void> {
    this.seen('delete');
    return this.inner.delete(key);
  }

  ping(): Promise<void> {
    this.seen('ping');
    return this.inner.ping();
  }
}

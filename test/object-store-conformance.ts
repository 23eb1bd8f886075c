/**
 * What every ObjectStore must do for the state layer to be safe on it: byte-exact round trips,
 * ETags, conditional creates and compare-and-swap that lose no update under concurrency,
 * overwrites a concurrent reader sees whole, listings of any length, and classified failures. Run against each store
 * implementation (test/object-store.test.ts); AWS S3 and MinIO honour the same headers.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../lib/storage/object-store.ts';
import { mapLimit } from '../lib/util/map-limit.ts';

export interface ConformanceTarget {
  name: string;
  /** A store on an empty prefix of a live server. */
  store: () => ObjectStore;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

export function defineObjectStoreConformance(target: ConformanceTarget): void {
  describe(`ObjectStore conformance: ${target.name}`, () => {
    it('round-trips binary objects byte for byte (no aws-chunked framing stored)', async () => {
      const store = target.store();
      for (const size of [0, 1, 100_000, 3_000_000]) {
        const bytes = new Uint8Array(randomBytes(size));
        const put = await store.put(`blobs/${size}.bin`, bytes);
        expect(put.written).toBe(true);
        const back = await store.get(`blobs/${size}.bin`);
        expect(back?.bytes.byteLength).toBe(size);
        expect(Buffer.from(back!.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(back!.etag).toBe((put as { etag: string }).etag);
      }
    });

    it('answers null and false for missing keys, lists keys and children in order, deletes', async () => {
      const store = target.store();
      expect(await store.get('nope/missing.json')).toBeNull();
      expect(await store.exists('nope/missing.json')).toBe(false);
      for (const key of ['m/a/versions/2/x', 'm/a/versions/1/x', 'm/a/versions/1/y', 'm/a/aliases/champion.json'])
        await store.put(key, new Uint8Array([1]));
      expect(await store.list('m/a/versions/')).toEqual(['m/a/versions/1/x', 'm/a/versions/1/y', 'm/a/versions/2/x']);
      expect(await store.listChildren('m/a/')).toEqual(['aliases', 'versions']);
      expect(await store.listChildren('m/a/versions/')).toEqual(['1', '2']);
      expect(await store.exists('m/a/versions/1/x')).toBe(true);
      await store.delete('m/a/versions/1/x');
      expect(await store.exists('m/a/versions/1/x')).toBe(false);
      await store.ping();
    });

    it('lists 2,500 keys under one prefix, all of them in order, over several pages, with list() and listChildren()', async () => {
      const store = target.store();
      // 250 folders of 10 keys. Every tenth key (the last of its folder) has text that would confuse
      // a continuation token (unicode, '+', '/', '=', '%', '&', spaces), so with pages of 1,000 keys
      // (AWS S3, MinIO, s3rver) the last key of every page is one of them.
      const folders = Array.from({ length: 250 }, (_, g) => String(g).padStart(3, '0'));
      const keys = folders.flatMap((folder) => [
        ...Array.from({ length: 9 }, (_, j) => `many/${folder}/${j}.json`),
        `many/${folder}/9 ü+日本/x y=%&.json`,
      ]);
      expect(keys).toHaveLength(2_500);
      await mapLimit(keys, 16, async (key) => {
        expect((await store.put(key, new Uint8Array([1]))).written).toBe(true);
      });
      const listed = await store.list('many/');
      expect(listed).toHaveLength(2_500);
      expect(listed).toEqual(keys);
      expect(await store.listChildren('many/')).toEqual(folders);
      expect(await store.listChildren('many/099/')).toEqual(['9 ü+日本']);
    });

    it("creates with If-None-Match: exactly one of 20 concurrent creators wins, and the object is the winner's", async () => {
      const store = target.store();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.put('create/once.json', text(`writer ${i}`), { condition: { ifNoneMatch: '*' } }),
        ),
      );
      const winners = outcomes.map((o, i) => (o.written ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      expect(read((await store.get('create/once.json'))!.bytes)).toBe(`writer ${winners[0]}`);
    });

    it('replaces with If-Match only the version read: a stale ETag and a missing key are refused', async () => {
      const store = target.store();
      const first = await store.put('cas/doc.json', text('1'));
      const second = await store.put('cas/doc.json', text('2'), {
        condition: { ifMatch: (first as { etag: string }).etag },
      });
      expect(second.written).toBe(true);
      expect(
        (await store.put('cas/doc.json', text('3'), { condition: { ifMatch: (first as { etag: string }).etag } }))
          .written,
      ).toBe(false);
      expect(read((await store.get('cas/doc.json'))!.bytes)).toBe('2');
      expect(
        (await store.put('cas/absent.json', text('x'), { condition: { ifMatch: (second as { etag: string }).etag } }))
          .written,
      ).toBe(false);
      expect(await store.exists('cas/absent.json')).toBe(false);
    });

    it('loses no update: 40 concurrent read-modify-write loops on one counter end at 40', async () => {
      const store = target.store();
      await store.put('cas/counter.json', text('0'));
      const increment = async (): Promise<number> => {
        for (let attempt = 1; attempt <= 200; attempt++) {
          const current = (await store.get('cas/counter.json'))!;
          const outcome = await store.put('cas/counter.json', text(String(Number(read(current.bytes)) + 1)), {
            condition: { ifMatch: current.etag },
          });
          if (outcome.written) return attempt;
          await new Promise((r) => setTimeout(r, Math.random() * 20));
        }
        throw new Error('no attempt won in 200');
      };
      const attempts = await Promise.all(Array.from({ length: 40 }, increment));
      expect(read((await store.get('cas/counter.json'))!.bytes)).toBe('40');
      // Contention was real: some writers lost and retried.
      expect(Math.max(...attempts)).toBeGreaterThan(1);
    });

    it('reads back exactly what a write wrote, as soon as the write answered (read-after-write, 20 writers)', async () => {
      const store = target.store();
      const loop = async (k: number): Promise<void> => {
        for (let i = 0; i < 25; i++) {
          const bytes = new Uint8Array(randomBytes(1 + ((k * 7919 + i * 104_729) % 200_000)));
          await store.put(`raw/${k}.bin`, bytes);
          const back = await store.get(`raw/${k}.bin`);
          expect(
            Buffer.from(back!.bytes).equals(Buffer.from(bytes)),
            `writer ${k}, write ${i}: ${back!.bytes.byteLength} of ${bytes.byteLength} bytes`,
          ).toBe(true);
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, k) => loop(k)));
    });

    it('shows a concurrent reader every overwrite whole: old or new, never truncated or mixed', async () => {
      const store = target.store();
      const bodies = Array.from({ length: 6 }, (_, i) =>
        JSON.stringify({ writer: i, pad: String(i).repeat(200_000 + i * 1000) }),
      );
      await store.put('atomic/doc.json', text(bodies[0]));
      let stop = false;
      const seen = new Set<number>();
      const reader = async (): Promise<void> => {
        while (!stop) {
          const object = await store.get('atomic/doc.json');
          const parsed = JSON.parse(read(object!.bytes)) as { writer: number; pad: string };
          expect(parsed.pad).toBe(String(parsed.writer).repeat(200_000 + parsed.writer * 1000));
          seen.add(parsed.writer);
        }
      };
      const readers = Promise.all([reader(), reader(), reader()]);
      for (let round = 0; round < 5; round++)
        await Promise.all(bodies.map((b) => store.put('atomic/doc.json', text(b))));
      stop = true;
      await readers;
      expect(seen.size).toBeGreaterThan(1);
    });

    it('lists a prefix page by page: at most maxKeys keys after startAfter, ascending, and whether more remain', async () => {
      const store = target.store();
      const written = Array.from({ length: 25 }, (_, i) => `paged/k/${String(i).padStart(3, '0')}.json`);
      await Promise.all(
        [...written, 'paged/kk/outside.json', 'paged/j.json'].map((key) => store.put(key, new Uint8Array([1]))),
      );
      // Pages of 10 (the store's own truncated listing), each after the last key of the one before.
      const seen: string[] = [];
      let startAfter: string | undefined;
      for (let calls = 0; calls < 10; calls++) {
        const page = await store.listPage('paged/k/', {
          maxKeys: 10,
          ...(startAfter !== undefined ? { startAfter } : {}),
        });
        expect(page.keys.length).toBeLessThanOrEqual(10);
        expect(page.keys).toEqual([...page.keys].sort());
        seen.push(...page.keys);
        if (!page.more) break;
        startAfter = page.keys[page.keys.length - 1];
      }
      expect(seen).toEqual(written);
      // startAfter need not exist, and may sort before the prefix.
      expect(await store.listPage('paged/k/', { startAfter: 'paged/k/0225', maxKeys: 3 })).toEqual({
        keys: written.slice(23),
        more: false,
      });
      expect((await store.listPage('paged/k/', { startAfter: 'paged/a', maxKeys: 2 })).keys).toEqual(
        written.slice(0, 2),
      );
      expect(await store.listPage('paged/k/', { startAfter: written[24], maxKeys: 5 })).toEqual({
        keys: [],
        more: false,
      });
      expect(await store.listPage('paged/none/', { maxKeys: 5 })).toEqual({ keys: [], more: false });
    });
  });
}

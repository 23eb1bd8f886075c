/**
 * s3rver's file store answers a PUT once the body has passed through its hashing stream, not
 * once the file is written, and it truncates the object's file before writing it: a GET that
 * follows the answer can read a short or empty object. This replaces that one method: the body
 * is written to a temporary file and fully flushed, then renamed over the object (an atomic
 * step on POSIX file systems), then its checksum and metadata files are written, and only then
 * does the PUT answer. A body that breaks off (a client that timed out or died mid-upload) never
 * replaces the object: s3rver would store the part that arrived. With the guard's per-key lock,
 * a reader sees the old object or the new one, whole.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from './s3rver-error.ts';

/** The parts of s3rver's FilesystemStore the replacement uses. */
export interface S3rverFileStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

interface S3rverObject {
  bucket: string;
  key: string;
  content: Readable | Buffer;
  metadata: unknown;
  /** The declared Content-Length (NaN when absent). */
  size: number;
}

export function useAtomicPuts(store: S3rverFileStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    // Beside the object, with a suffix s3rver's listing ignores (it lists only *._S3rver_object files).
    const temporary = `${objectPath}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      await pipeline(source, measure, createWriteStream(temporary));
      if (Number.isFinite(object.size) && size !== object.size) {
        throw new S3Error(
          'IncompleteBody',
          `You did not provide the number of bytes specified by the Content-Length HTTP header (${size} of ${object.size})`,
        );
      }
      await rename(temporary, objectPath);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}

/** s3rver's own error class, so what the embedded server's additions refuse answers in S3's XML error shape. */
import { createRequire } from 'node:module';

type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error;

export const S3Error = createRequire(import.meta.url)('s3rver/lib/models/error') as S3ErrorClass;

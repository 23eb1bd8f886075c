/**
 * Training's read of a labelled CSV: the file streamed through csv-parse, each record cleaned into
 * the DatasetBuilder's column store as it arrives and then dropped, and the file's SHA-256 taken
 * from the same bytes. No whole-file string and no table of field strings is ever held: on the
 * 1M-row synthetic table those were ~1.3 GB beside a 200 MB matrix (issue 29; bench/train-memory.ts).
 * The values and errors are those of loadDataset (dataset.ts), which reads the whole file at once.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import type { ReadOptions } from './csv-header.ts';
import { CSV_OPTIONS } from './dataset.ts';
import { DatasetBuilder, type Dataset } from './dataset-builder.ts';
import { DataError } from './errors.ts';
import type { DatasetSpec } from './spec.ts';

/** 1 MiB reads: 180 of them for the 1M-row table, each parsed and dropped before the next. */
const READ_BYTES = 1 << 20;

export function streamDataset(file: string, spec: DatasetSpec, options: ReadOptions = {}): Promise<Dataset> {
  return datasetFromChunks(createReadStream(file, { highWaterMark: READ_BYTES }), file, spec, options);
}

/** The dataset of a CSV arriving in chunks of any size (a chunk may end inside a field or a UTF-8 character). */
export async function datasetFromChunks(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  spec: DatasetSpec,
  options: ReadOptions = {},
): Promise<Dataset> {
  const builder = new DatasetBuilder(spec, source, options);
  const hash = createHash('sha256');
  const blank = new BlankCheck();
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      hash.update(chunk);
      blank.see(chunk);
      yield chunk;
    }
  }
  let header = true;
  try {
    await pipeline(
      hashed(),
      new Parser(CSV_OPTIONS),
      async (records: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
        for await (const { record, info } of records) {
          if (header) builder.setHeader(record);
          else builder.add(record, info.lines);
          header = false;
        }
      },
    );
  } catch (err) {
    throw readError(err, source);
  }
  if (blank.blank) throw new DataError('the file is empty', { file: source });
  return builder.finish(hash.digest('hex'));
}

/** Errors named as loadDataset names them. */
function readError(err: unknown, file: string): unknown {
  if (err instanceof CsvError) return new DataError(`not a valid CSV (${err.message})`, { file });
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof Error && 'syscall' in err)
    return new DataError(`cannot read file (${code ?? String(err)})`, { file });
  return err;
}

/**
 * Whether every character so far is white space, as `text.trim() === ''` decides for a whole
 * file (JS \s and trim() share one set, U+FEFF included, so a file that is only a BOM is empty).
 * Decoding stops at the first other character: after the header's first byte, in practice.
 */
class BlankCheck {
  blank = true;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  see(chunk: Uint8Array): void {
    if (this.blank && /\S/.test(this.decoder.decode(chunk, { stream: true }))) this.blank = false;
  }
}

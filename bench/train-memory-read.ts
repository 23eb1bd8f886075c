/**
 * One read of a CSV through a spec, for bench/train-memory.ts to measure in a process of its own:
 * `whole` is loadDataset (the file as one string, then every record's fields), `stream` is the
 * read training does (streamDataset). Prints the rows read.
 *   node --import tsx bench/train-memory-read.ts whole|stream FILE SPEC
 */
import { loadDataset } from '../lib/data/dataset.ts';
import { streamDataset } from '../lib/data/dataset-stream.ts';
import { loadSpec } from '../lib/data/spec.ts';

const [mode, file, specFile] = process.argv.slice(2);
const spec = loadSpec(specFile);
const dataset = mode === 'whole' ? loadDataset(file, spec) : await streamDataset(file, spec);
process.stdout.write(`${dataset.rows.length}\n`);

/**
 * Training time and peak memory against rows, beside the Python stack on the same CSV (issue 29):
 * the synthetic credit-like table (data/generators/credit-like.ts: 25 numeric columns, 3 classes)
 * at each size, written once to bench/out/train-memory, then per size
 *   - the read alone: loadDataset (whole file) and streamDataset (what `train` does);
 *   - `train --cv 2 --samplers none --decision-rule off --calibration off` for rf and for xgb,
 *     2-fold CV and the refit as a user runs it (--jobs, 0 = every core);
 *   - bench/reference_train_memory.py doing the same with scikit-learn's forest and xgboost
 *     (pandas read, 2-fold CV, refit; n_jobs=-1).
 * Each runs in a process of its own under /usr/bin/time, whose peak resident set size is the number;
 * its memory over time is sampled from /proc every 2 s into bench/out/train-memory/samples-*.txt.
 *   npm run bench:train-memory [-- --rows 100000,300000,1000000] [--jobs 0] [--only read,train,python] [--classifiers rf,xgb] [--python-jobs -1]
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CREDIT_LIKE_FEATURES } from '../data/generators/credit-like.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000,300000,1000000' },
    jobs: { type: 'string', default: '0' },
    only: { type: 'string', default: 'read,train,python' },
    classifiers: { type: 'string', default: 'rf,xgb' },
    'python-jobs': { type: 'string', default: '-1' },
  },
});
const sizes = values.rows.split(',').map(Number);
const only = new Set(values.only.split(','));
const outDir = 'bench/out/train-memory';
mkdirSync(outDir, { recursive: true });

// The table's own spec: every column a number, the label's three classes (generator: 0 Good, 1 Standard, 2 Poor).
const specFile = join(outDir, 'spec.json');
const numeric = Array.from({ length: CREDIT_LIKE_FEATURES }, (_, f) => `f${f}`);
writeFileSync(
  specFile,
  JSON.stringify({ name: 'credit-like', target: { column: 'label', classes: ['0', '1', '2'] }, numeric }, null, 2) +
    '\n',
);

interface Measured {
  seconds: number;
  peakMb: number;
}

let measured = 0;

/**
 * A program's wall time and peak resident memory (GNU time's %M, in KiB); one file each, so two benches can run at once.
 * Every 2 s its resident and peak memory so far (/proc's VmRSS and VmHWM) are appended to a .samples file beside
 * the CSVs, with the seconds since start: which step of a long run made the peak, and a peak to report if the
 * run cannot finish.
 */
async function measure(command: string, args: string[]): Promise<Measured> {
  const id = `${process.pid}-${measured++}`;
  const timeFile = join(outDir, `time-${id}.txt`);
  const samplesFile = join(outDir, `samples-${id}.txt`);
  writeFileSync(samplesFile, `# ${[command, ...args].join(' ')}\n`);
  const started = Date.now();
  const time = spawn('/usr/bin/time', ['-f', '%M %e', '-o', timeFile, command, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sampler = setInterval(() => {
    const status = procStatus(childOf(time.pid));
    if (status) appendFileSync(samplesFile, `${Math.round((Date.now() - started) / 1000)} ${status}\n`);
  }, 2000);
  const code = await new Promise<number | null>((resolve) => time.on('close', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} exited with ${code} (samples: ${samplesFile})`);
  const [kib, seconds] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  rmSync(timeFile);
  // Each as it comes: a size that cannot finish in the time at hand still leaves its numbers.
  process.stderr.write(
    `${Math.round(kib / 1024)} MB, ${seconds} s: ${[command, ...args].join(' ')} (samples: ${samplesFile})\n`,
  );
  return { seconds, peakMb: kib / 1024 };
}

/** The first child of `pid` (GNU time's program), or undefined while it has none. */
function childOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const children = readOr(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean);
  return children.length ? Number(children[0]) : undefined;
}

/** "VmRSS <MB> VmHWM <MB>" of a running process, or '' once it is gone. */
function procStatus(pid: number | undefined): string {
  if (pid === undefined) return '';
  const mb = (key: string): string => {
    const kib = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readOr(`/proc/${pid}/status`))?.[1];
    return kib ? String(Math.round(Number(kib) / 1024)) : '?';
  };
  return `VmRSS ${mb('VmRSS')} VmHWM ${mb('VmHWM')}`;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function csvOf(rows: number): string {
  const file = join(outDir, `credit-like-${rows}.csv`);
  if (!existsSync(file))
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'data/generators/credit-like.ts', '--rows', String(rows), '--seed', '7', '--out', file],
      { stdio: 'inherit' },
    );
  return file;
}

const node = (script: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', script, ...args],
];
const cell = (m: Measured | undefined): string => (m ? `${m.seconds.toFixed(1)} s, ${Math.round(m.peakMb)} MB` : '-');

const lines: string[] = [];
const bySize: Record<string, Measured>[] = [];
for (const rows of sizes) {
  const csv = csvOf(rows);
  const r: Record<string, Measured> = {};
  if (only.has('read')) {
    r.whole = await measure(...node('bench/train-memory-read.ts', 'whole', csv, specFile));
    r.stream = await measure(...node('bench/train-memory-read.ts', 'stream', csv, specFile));
  }
  for (const classifier of values.classifiers.split(',')) {
    if (only.has('train')) {
      const model = join(outDir, `model-${classifier}-${rows}`);
      rmSync(model, { recursive: true, force: true });
      r[classifier] = await measure(
        ...node(
          'scripts/train.ts',
          '--data',
          csv,
          '--spec',
          specFile,
          '--cv',
          '2',
          '--classifiers',
          classifier,
          '--samplers',
          'none',
          '--decision-rule',
          'off',
          '--calibration',
          'off',
          '--jobs',
          values.jobs,
          '--seed',
          '0',
          '--out',
          model,
          '--quiet',
        ),
      );
    }
    if (only.has('python'))
      r[`py-${classifier}`] = await measure('/usr/bin/python3', [
        'bench/reference_train_memory.py',
        csv,
        '--model',
        classifier,
        '--n-jobs',
        values['python-jobs'],
      ]);
  }
  bySize.push(r);
  const line = `| ${rows.toLocaleString('en')} | ${cell(r.whole)} | ${cell(r.stream)} | ${cell(r.rf)} | ${cell(r['py-rf'])} | ${cell(r.xgb)} | ${cell(r['py-xgb'])} |`;
  lines.push(line);
  process.stderr.write(line + '\n');
}
console.log(
  `\ncredit-like table, ${CREDIT_LIKE_FEATURES} numeric columns; train --cv 2 --samplers none --decision-rule off --calibration off --jobs ${values.jobs}; Python n_jobs=${values['python-jobs']}\n`,
);
console.log(
  '| rows | read, whole file (loadDataset) | read, streamed (train) | train rf | scikit-learn forest | train xgb | xgboost |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const line of lines) console.log(line);
// Memory growth a row: the slope of peak memory from the smallest size to the largest (the fixed cost of the runtime cancels).
if (sizes.length > 1) {
  const last = sizes.length - 1;
  const slope = (key: string): string => {
    const [a, b] = [bySize[0][key], bySize[last][key]];
    return a && b ? String(Math.round(((b.peakMb - a.peakMb) * 1024 * 1024) / (sizes[last] - sizes[0]))) : '-';
  };
  console.log(`
peak memory growth, bytes a row (${sizes[0].toLocaleString('en')} to ${sizes[last].toLocaleString('en')} rows; the matrix alone: ${CREDIT_LIKE_FEATURES * 8}):`);
  console.log(['whole', 'stream', 'rf', 'py-rf', 'xgb', 'py-xgb'].map((k) => `${k} ${slope(k)}`).join(', '));
}

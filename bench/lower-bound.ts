/**
 * The lower-bound binary search, written three times before issue 28 (the training binning's
 * lowerIndex, the drift counts' binOf, the scorecard's rangeIndex) and shared since
 * (lib/util/lower-bound.ts): each call site's old inlined loop against the same site calling the
 * shared function, alternated round by round in one process (the machine is shared: load moves
 * between runs), CPU time of this process (process.cpuUsage) per round, answers checked equal.
 *
 *   nice -n 10 node --import tsx bench/lower-bound.ts [--rounds 9]
 *
 * Sizes: the binning searches a feature's distinct values (up to the rows: 100,000 here) 254
 * times per feature; the drift counts search ~30 cut points once per row and feature; the
 * scorecard ~7 splits once per row and feature.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BinMapper } from '../lib/trees/binning.ts';
import { lowerBound } from '../lib/util/lower-bound.ts';
import { Random } from '../lib/util/random.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '9' } } });
const rounds = Number(args.rounds);

/** The three loops as they were, verbatim but for their names. */
function lowerIndexBefore(values: number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function binOfBefore(cuts: number[], v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < cuts.length && cuts[lo] === v ? 2 * lo + 1 : 2 * lo;
}
function rangeIndexBefore(splits: number[], x: number): number {
  let lo = 0;
  let hi = splits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (splits[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
/** The same sites calling the shared search, as the code does now. */
const lowerIndexAfter = (values: number[], value: number): number => lowerBound(values, value);
function binOfAfter(cuts: number[], v: number): number {
  const lo = lowerBound(cuts, v);
  return lo < cuts.length && cuts[lo] === v ? 2 * lo + 1 : 2 * lo;
}
const rangeIndexAfter = (splits: number[], x: number): number => lowerBound(splits, x);

const rng = new Random(28);
/** Distinct ascending values in [0, 10,000]: cents (doubles), or whole numbers (small integers, as ages or counts). */
const draw = (whole: boolean): number => {
  const cents = Math.round(rng.nextFloat() * 1e6) / 100;
  return whole ? Math.round(cents) : cents;
};
const sortedRandom = (n: number, whole = false): number[] =>
  [...new Set(Array.from({ length: n }, () => draw(whole)))].sort((a, b) => a - b);

interface Site {
  name: string;
  array: number[];
  queries: Float64Array;
  before: (a: number[], x: number) => number;
  after: (a: number[], x: number) => number;
}
const QUERIES = 2_000_000;
const binningArray = sortedRandom(100_000);
const sites: Site[] = [
  {
    name: 'training binning (lowerIndex, 100,000 distinct values)',
    array: binningArray,
    // The binning looks up values that are in the array (quantile positions of the sorted column).
    queries: Float64Array.from({ length: QUERIES }, () => binningArray[rng.nextInt(binningArray.length)]!),
    before: lowerIndexBefore,
    after: lowerIndexAfter,
  },
  ...[
    // Whole-number cut points: V8 keeps them as small integers, so the shared search sees two element kinds.
    ['drift counts (binOf, 30 whole-number cut points)', 30, true, binOfBefore, binOfAfter] as const,
    ['scorecard bins (rangeIndex, 7 splits)', 7, false, rangeIndexBefore, rangeIndexAfter] as const,
  ].map(([name, n, whole, before, after]) => ({
    name,
    array: sortedRandom(n, whole),
    queries: Float64Array.from({ length: QUERIES }, () => Math.round(rng.nextFloat() * 1e6) / 100),
    before,
    after,
  })),
];

/** CPU microseconds (user + system) of one pass over the queries, and a checksum of the answers. */
function pass(search: (a: number[], x: number) => number, site: Site): { us: number; sum: number } {
  const started = process.cpuUsage();
  let sum = 0;
  for (let i = 0; i < site.queries.length; i++) sum += search(site.array, site.queries[i]!);
  const used = process.cpuUsage(started);
  return { us: used.user + used.system, sum };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const binningNs: number[] = [];
console.log(
  `node ${process.version}, ${QUERIES.toLocaleString('en')} searches per pass, ${rounds} rounds alternated, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('| call site | before (inlined) ns/search | after (shared) ns/search | after / before |');
console.log('| --- | --- | --- | --- |');
for (const site of sites) {
  // One unmeasured pass of each warms the JIT.
  pass(site.before, site);
  pass(site.after, site);
  const before: number[] = [];
  const after: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so a load change within a round falls on both sides.
    const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    const sums: Record<string, number> = {};
    for (const which of order) {
      const { us, sum } = pass(site[which], site);
      (which === 'before' ? before : after).push((us * 1000) / QUERIES);
      sums[which] = sum;
    }
    if (sums.before !== sums.after) throw new Error(`${site.name}: the answers differ`);
  }
  const b = median(before);
  if (site === sites[0]) binningNs.push(...after);
  const a = median(after);
  const range = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
  console.log(
    `| ${site.name} | ${b.toFixed(1)} (${range(before)}) | ${a.toFixed(1)} (${range(after)}) | ${(a / b).toFixed(2)} |`,
  );
}
// For scale: the whole binning fit the search sits in (its sort dominates), 100,000 rows x 10 features.
const X = Float64Array.from({ length: 100_000 * 10 }, () => rng.nextFloat() * 1e4);
const fitUs: number[] = [];
for (let r = 0; r < 3; r++) {
  const started = process.cpuUsage();
  BinMapper.fit(X, 100_000, 10);
  const used = process.cpuUsage(started);
  fitUs.push(used.user + used.system);
}
console.log(
  `BinMapper.fit, 100,000 x 10 distinct values: ${(median(fitUs) / 1000).toFixed(1)} ms CPU (median of 3), of which the ${10 * 254} searches take ~${((10 * 254 * median(binningNs)) / 1e6).toFixed(2)} ms`,
);
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

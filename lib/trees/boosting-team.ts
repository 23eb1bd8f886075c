/**
 * A boosting fit on several threads. A multi-class round's trees (one per class) depend on the
 * round's gradients only, so threads grow them side by side, a whole tree each: the coarsest
 * share there is, one hand-off per tree, threads taking trees until none is left. A tree that
 * does not share out evenly (the third of three on two threads, a binary fit's one) is split:
 * the main thread grows its top levels as xgboost's `hist` grows a tree, helpers on the training
 * pool's workers sharing each large step (a node's histogram in chunks of features, its
 * sibling's by subtraction, a node's partition and the gradients in chunks of rows); then its
 * subtrees are taken like whole trees and grafted back. Every value is computed by one thread
 * in the order one thread would, so the model is the same, bit for bit, for any number of
 * threads (lib/trees/histogram-kernel.ts, binning.ts's compactRows).
 *
 * Threads take chunks from a shared counter until none is left, so a slower core (this
 * machine has one) takes fewer instead of holding everyone up. The steps are short (a
 * millisecond or two), too short for messages: the team talks through a shared Int32Array
 * with Atomics. Helpers join when their pool task starts: a fit never waits for a busy pool;
 * it uses the helpers that have joined (none: it runs alone).
 *
 * Faults never hang the fit: a helper that throws marks itself failed and the fit throws; a
 * helper that dies is noticed when its step passes the answer deadline.
 */
import type { TaskRunner } from '../parallel/task-runner.ts';
import { BinMapper, compactRows, type BinnedMatrix } from './binning.ts';
import { computeGradients } from './boosting-gradients.ts';
import { RoundPlan } from './boosting-round.ts';
import { arenaSlot, type BoostingWorkspace } from './boosting-workspace.ts';
import {
  GradientTreeBuilder,
  type GradientTreeParams,
  type HistogramStep,
  type RootSplit,
  type SubtreeRoot,
  type SharedSteps,
} from './gradient-tree-builder.ts';
import {
  buildHistogramBlock,
  buildPackedHistogramBlock,
  subtractHistogramBlock,
  subtractPackedHistogramBlock,
  type HistogramInput,
} from './histogram-kernel.ts';
import type { Tree } from './tree.ts';
import { readTree, treeCapacity, treeSlotSize, writeTree } from './tree-slot.ts';

// The step, in the header of the control array.
const CLOSED = 0; // set once the fit is over: helpers leave
const NEXT_CHUNK = 1; // the counter threads take chunks from
const OP = 2;
const CHUNKS = 3;
const ARGS = 4; // the step's arguments
const RESULTS = 12; // one word per chunk
const MAX_CHUNKS = 64;
const HEADER = RESULTS + MAX_CHUNKS;
// Then a block of words per helper.
const HELPER_WORDS = 4;
const SEQ = 0; // bumped by the main thread to post a step
const DONE = 1; // set to the step's SEQ by the helper when it is over
const FAILED = 2; // 1 once the helper threw or missed a deadline
const JOINED = 3; // 1 while the helper waits for steps

const OP_HISTOGRAM = 1; // output, histSlot, parentSlot, start, end, usedCount; chunks of features
const OP_GRADIENTS = 2; // rows; chunks of rows
const OP_COMPACT = 3; // start, end, feature, bin, missingLeft; chunks of rows -> RESULTS: rows going left
const OP_GROW = 4; // first output, whole trees, subtrees, split output; one chunk per tree or subtree, grown by the thread that takes it -> its tree slot

/** Work (rows x features) below which a histogram is built on the main thread alone: waking a helper costs more. */
const PARALLEL_HISTOGRAM_WORK = 1 << 14;
/** Rows below which a partition or the gradients stay on the main thread. */
const PARALLEL_ROWS = 1 << 14;
/** Chunks per thread: enough for a fast thread to take more than a slow one. */
const CHUNKS_PER_THREAD = 2;
/** Spins on a word before sleeping on it: most steps follow each other within microseconds. */
const SPINS = 50_000;
/**
 * How long a helper spins for the next step before it sleeps. Steps follow each other within a
 * millisecond or less (the main thread's split search between them), and waking a sleeping
 * thread costs some 50-100 µs here, a quarter of a typical step: measured on a binary fit,
 * helpers that slept after 50,000 spins (~0.1 ms) gave 1.15x on two threads, helpers that spin
 * through the gaps 1.35x.
 */
const HELPER_SPIN_MS = 3;

/** What a thread needs to grow a whole tree of a round on its own. */
export interface TreeGrowing {
  /** The bin thresholds of every feature (BinMapper.thresholds). */
  thresholds: Float32Array[];
  params: GradientTreeParams;
  /** The words of the fit's RoundPlan, in shared memory. */
  plan: Int32Array;
  /** One tree slot per output, then one per subtree of a split root (lib/trees/tree-slot.ts), in shared memory. */
  trees: Float64Array;
  /** Per subtree of a split root, SUBTREE_WORDS words: where it starts (their order at SUBTREE_WORDS). */
  subtrees: Float64Array;
}

/**
 * Levels of a round's last tree grown (with shared steps) before its subtrees are handed out:
 * two, so four subtrees: the first split is often lopsided, and four pieces taken largest first
 * even the threads out better than two.
 */
export const SPLIT_DEPTH = 2;
/** Subtrees under a split root's top levels, at most. */
const SUBTREES = 2 ** SPLIT_DEPTH;
/** Whole trees one step can grow beside a split root's subtrees. */
export const MAX_TREES_BESIDE_SPLIT = MAX_CHUNKS - SUBTREES;
/** start, end (its rows in the fit's order), sumGrad, sumHess, lower, upper bound, histogram's arena slot (-1: none), depth. */
const SUBTREE_WORDS = 8;

export interface BoostingHelperTask {
  kind: 'boosting-helper';
  control: Int32Array;
  helper: number;
  workspace: BoostingWorkspace;
  growing: TreeGrowing;
}

function helperBase(helper: number): number {
  return HEADER + helper * HELPER_WORDS;
}

/** [from, to) of chunk `j` of `count` near-equal chunks of [start, end). */
function chunk(start: number, end: number, j: number, count: number): [number, number] {
  const size = end - start;
  return [start + Math.floor((size * j) / count), start + Math.floor((size * (j + 1)) / count)];
}

/** Runs the chunks of the posted step that no other thread has taken; the same code on every thread. */
class ChunkRunner {
  private readonly slots = new Map<number, Float64Array>();
  private readonly input: HistogramInput;
  private grower: TreeGrower | null = null;

  constructor(
    private readonly c: Int32Array,
    private readonly w: BoostingWorkspace,
    private readonly growing: TreeGrowing,
  ) {
    this.input = { rowMajor: w.rowMajor, features: w.features, used: w.used, usedCount: 0 };
  }

  run(): void {
    const { c, w } = this;
    const op = c[OP];
    const chunks = c[CHUNKS];
    const arg = (a: number): number => c[ARGS + a];
    for (let j = Atomics.add(c, NEXT_CHUNK, 1); j < chunks; j = Atomics.add(c, NEXT_CHUNK, 1)) {
      if (op === OP_HISTOGRAM) {
        this.input.usedCount = arg(5);
        const [jStart, jEnd] = chunk(0, arg(5), j, chunks);
        const hist = this.slot(arg(1));
        if (w.packed) {
          buildPackedHistogramBlock(hist, this.input, w.packed[arg(0)], w.order, arg(3), arg(4), jStart, jEnd);
          if (arg(2) >= 0) subtractPackedHistogramBlock(this.slot(arg(2)), hist, this.input, jStart, jEnd);
        } else {
          buildHistogramBlock(hist, this.input, w.gradHess[arg(0)], w.order, arg(3), arg(4), jStart, jEnd);
          if (arg(2) >= 0) subtractHistogramBlock(this.slot(arg(2)), hist, this.input, jStart, jEnd);
        }
      } else if (op === OP_GRADIENTS) {
        computeGradients(w.margins, w.y, w.outputs, w.gradHess, ...chunk(0, arg(0), j, chunks), w.classWeights);
      } else if (op === OP_COMPACT) {
        const [from, to] = chunk(arg(0), arg(1), j, chunks);
        const column = w.columnMajor.subarray(arg(2) * w.rows, (arg(2) + 1) * w.rows);
        c[RESULTS + j] = compactRows(w.order, from, to, column, arg(3), arg(4) === 1, w.scratch);
      } else if (op === OP_GROW) {
        this.grower ??= new TreeGrower(w, this.growing);
        if (j < arg(1)) this.grower.grow(arg(0) + j);
        else this.grower.growSubtree(arg(3), j - arg(1));
      } else {
        throw new Error(`unknown boosting step ${op}`);
      }
    }
  }

  private slot(index: number): Float64Array {
    let view = this.slots.get(index);
    if (!view) this.slots.set(index, (view = arenaSlot(this.w, index)));
    return view;
  }
}

/**
 * Grows whole trees on one thread, in row-order arrays of its own (the fit's own are the
 * main thread's), and leaves each in its output's tree slot. The same on every thread.
 */
class TreeGrower {
  private readonly builder: GradientTreeBuilder;
  private readonly binned: BinnedMatrix;
  private readonly plan: RoundPlan;

  constructor(
    private readonly w: BoostingWorkspace,
    private readonly growing: TreeGrowing,
  ) {
    this.binned = { rows: w.rows, features: w.features, rowMajor: w.rowMajor, columnMajor: w.columnMajor };
    const own: BoostingWorkspace = {
      ...w,
      order: new Int32Array(w.rows),
      scratch: new Int32Array(w.rows),
      used: new Int32Array(w.features),
      arena: new Float64Array(0),
    };
    this.builder = new GradientTreeBuilder(
      this.binned,
      BinMapper.fromThresholds(growing.thresholds),
      growing.params,
      own,
      null,
    );
    this.plan = new RoundPlan(growing.plan, w.rows, w.features, w.outputs);
  }

  grow(output: number): void {
    const tree = this.plan.grow(this.builder, output, this.binned, this.w.margins);
    writeTree(treeSlot(this.growing, this.w.outputs, output), tree);
  }

  /** Subtree `s` of output's split root: its rows are a range of the fitting thread's order, its histogram an arena slot. */
  growSubtree(output: number, s: number): void {
    const spec = this.growing.subtrees.subarray(s * SUBTREE_WORDS, (s + 1) * SUBTREE_WORDS);
    const child: SubtreeRoot = {
      depth: spec[7],
      sumGrad: spec[2],
      sumHess: spec[3],
      bounds: { lower: spec[4], upper: spec[5] },
      hist: spec[6] >= 0 ? arenaSlot(this.w, spec[6]) : null,
    };
    const tree = this.plan.growSubtree(
      this.builder,
      output,
      this.w.order.subarray(spec[0], spec[1]),
      child,
      this.w.margins,
    );
    writeTree(treeSlot(this.growing, this.w.outputs, this.w.outputs + s), tree);
  }
}

function treeSlot(growing: TreeGrowing, outputs: number, index: number): Float64Array {
  const size = growing.trees.length / (outputs + SUBTREES);
  return growing.trees.subarray(index * size, (index + 1) * size);
}

/** The shared memory of a fit's TreeGrowing: its plan's words, a tree slot per output and per subtree, the subtrees' specs. */
export function treeGrowing(
  thresholds: Float32Array[],
  params: GradientTreeParams,
  plan: RoundPlan,
  rows: number,
  outputs: number,
): TreeGrowing {
  const slot = treeSlotSize(treeCapacity(params.maxDepth, rows));
  const float64 = (length: number): Float64Array => new Float64Array(new SharedArrayBuffer(length * 8));
  return {
    thresholds,
    params,
    plan: plan.words,
    trees: float64(slot * (outputs + SUBTREES)),
    subtrees: float64(SUBTREES * SUBTREE_WORDS),
  };
}

export class BoostingHelperError extends Error {
  override name = 'BoostingHelperError';
}

export class BoostingTeam implements SharedSteps {
  /** Steps shared with at least one helper so far. */
  sharedSteps = 0;
  private readonly control: Int32Array;
  private readonly tasks: Promise<unknown>[];
  private readonly runner: ChunkRunner;

  /** Asks `helpers` workers of the pool to join; returns at once (see joined()). */
  constructor(
    pool: TaskRunner,
    private readonly workspace: BoostingWorkspace,
    private readonly growing: TreeGrowing,
    private readonly helpers: number,
    private readonly answerDeadlineMs = 60_000,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer((HEADER + helpers * HELPER_WORDS) * 4));
    this.runner = new ChunkRunner(this.control, workspace, growing);
    this.tasks = Array.from({ length: helpers }, (_, helper) => {
      const task: BoostingHelperTask = { kind: 'boosting-helper', control: this.control, helper, workspace, growing };
      // Before anything queued: a helper holds its worker only while this fit runs.
      return pool.run(task, Number.MAX_SAFE_INTEGER);
    });
  }

  /** Resolves when every helper has joined, or after `waitMs` with those that have. */
  async joined(waitMs: number): Promise<number> {
    const until = Date.now() + waitMs;
    while (this.joinedHelpers().length < this.helpers && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 1));
    return this.joinedHelpers().length;
  }

  /** Threads that share the next step: this one and the helpers that have joined (and not failed). */
  get threads(): number {
    return this.joinedHelpers().length + 1;
  }

  /**
   * Grows the trees of outputs [first, first + count) side by side, a whole tree per thread
   * (the plan holds their rows and features, the gradients are the round's), each adding its
   * output to the margins; returns them in output order, or null, having done nothing, when no
   * helper is there.
   */
  growTrees(first: number, count: number): Tree[] | null {
    return this.growRound(first, count, null)?.trees ?? null;
  }

  /**
   * As growTrees, and with them the subtrees of a split root (GradientTreeBuilder.splitRoot):
   * the larger first, so that the threads finish close together. Returns the whole trees in
   * output order and the subtrees in the root's child order; null, having done nothing, when
   * no helper is there or a child's histogram is outside the arena (the caller grows them).
   */
  growRound(
    first: number,
    count: number,
    split: { output: number; root: RootSplit } | null,
  ): { trees: Tree[]; subtrees: Tree[] } | null {
    const whole = Math.min(count, MAX_TREES_BESIDE_SPLIT); // the rest are the caller's next call
    if (split && whole < count)
      throw new RangeError(
        `a split root's round grows at most ${MAX_TREES_BESIDE_SPLIT} whole trees at once, asked for ${count}`,
      );
    const children = split?.root.children ?? [];
    if (children.some((child) => child.hist !== null && child.hist.slot < 0)) return null;
    const bySize = children
      .map((_, c) => c)
      .sort((a, b) => children[b].end - children[b].start - (children[a].end - children[a].start));
    bySize.forEach((c, s) => {
      const child = children[c];
      this.growing.subtrees.set(
        [
          child.start,
          child.end,
          child.sumGrad,
          child.sumHess,
          child.bounds.lower,
          child.bounds.upper,
          child.hist ? child.hist.slot : -1,
          split!.root.depth,
        ],
        s * SUBTREE_WORDS,
      );
    });
    if (
      this.fork(OP_GROW, [first, whole, children.length, split?.output ?? -1], () => whole + children.length) === null
    )
      return null;
    const outputs = this.workspace.outputs;
    const trees = Array.from({ length: whole }, (_, j) => readTree(treeSlot(this.growing, outputs, first + j)));
    const subtrees: Tree[] = [];
    bySize.forEach((c, s) => (subtrees[c] = readTree(treeSlot(this.growing, outputs, outputs + s))));
    return { trees, subtrees };
  }

  /**
   * Builds one histogram (and subtracts it from the parent's) in arena slots, with the joined
   * helpers. Returns false, having done nothing, for a small step or when no helper is there.
   */
  histogram(step: HistogramStep): boolean {
    if ((step.end - step.start) * step.usedCount < PARALLEL_HISTOGRAM_WORK) return false;
    const args = [step.output, step.histSlot, step.parentSlot, step.start, step.end, step.usedCount];
    return this.fork(OP_HISTOGRAM, args, (threads) => Math.min(step.usedCount, threads * CHUNKS_PER_THREAD)) !== null;
  }

  /** The gradients of every row. Returns false, having done nothing, when no helper is there. */
  gradients(): boolean {
    const { rows } = this.workspace;
    if (rows < PARALLEL_ROWS) return false;
    return this.fork(OP_GRADIENTS, [rows], (threads) => threads * CHUNKS_PER_THREAD) !== null;
  }

  /**
   * Partitions order[start, end) at a split, stably; returns where the right side starts, or
   * -1, having done nothing, for a small node or when no helper is there.
   */
  partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number {
    if (end - start < PARALLEL_ROWS) return -1;
    const lefts = this.fork(
      OP_COMPACT,
      [start, end, feature, bin, missingLeft ? 1 : 0],
      (threads) => threads * CHUNKS_PER_THREAD,
    );
    if (lefts === null) return -1;
    // Each chunk left its left rows packed at its start in `order` and its right rows at its
    // start in `scratch`: the left parts move down in chunk order, then the right parts follow.
    const { order, scratch } = this.workspace;
    let at = start;
    for (let j = 0; j < lefts.length; j++) {
      const [from] = chunk(start, end, j, lefts.length);
      order.copyWithin(at, from, from + lefts[j]);
      at += lefts[j];
    }
    const mid = at;
    for (let j = 0; j < lefts.length; j++) {
      const [from, to] = chunk(start, end, j, lefts.length);
      order.set(scratch.subarray(from, to - lefts[j]), at);
      at += to - from - lefts[j];
    }
    return mid;
  }

  /** Ends the team: helpers leave their loop and their pool tasks settle. Idempotent. */
  close(): void {
    Atomics.store(this.control, CLOSED, 1);
    for (let helper = 0; helper < this.helpers; helper++) {
      const base = helperBase(helper);
      Atomics.add(this.control, base + SEQ, 1);
      Atomics.notify(this.control, base + SEQ);
    }
  }

  /** After close(): the first error a helper's pool task ended with, if any. */
  async failure(): Promise<Error | undefined> {
    const settled = await Promise.allSettled(this.tasks);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    return rejected
      ? new BoostingHelperError(`a boosting helper failed: ${(rejected.reason as Error).message}`)
      : undefined;
  }

  /**
   * Posts a step to the joined helpers, takes chunks of it here too, waits for the helpers and
   * returns the chunks' results; null, having done nothing, when no helper is there.
   */
  private fork(op: number, args: number[], chunksFor: (threads: number) => number): number[] | null {
    const helpers = this.joinedHelpers();
    if (helpers.length === 0) return null;
    const c = this.control;
    const chunks = Math.min(MAX_CHUNKS, chunksFor(helpers.length + 1));
    c[OP] = op;
    c[CHUNKS] = chunks;
    args.forEach((value, a) => (c[ARGS + a] = value));
    Atomics.store(c, NEXT_CHUNK, 0);
    const posted = helpers.map((helper) => {
      const base = helperBase(helper);
      const seq = c[base + SEQ] + 1;
      Atomics.store(c, base + SEQ, seq); // publishes the step's words
      Atomics.notify(c, base + SEQ);
      return { helper, seq };
    });
    this.runner.run();
    for (const { helper, seq } of posted) this.awaitStep(helper, seq);
    this.sharedSteps++;
    return Array.from(c.subarray(RESULTS, RESULTS + chunks));
  }

  private joinedHelpers(): number[] {
    const joined: number[] = [];
    for (let helper = 0; helper < this.helpers; helper++) {
      const base = helperBase(helper);
      if (Atomics.load(this.control, base + JOINED) === 1 && Atomics.load(this.control, base + FAILED) === 0)
        joined.push(helper);
    }
    return joined;
  }

  private awaitStep(helper: number, seq: number): void {
    const c = this.control;
    const base = helperBase(helper);
    const deadline = Date.now() + this.answerDeadlineMs;
    for (let spins = 0; Atomics.load(c, base + DONE) !== seq; spins++) {
      if (Atomics.load(c, base + FAILED) === 1) throw new BoostingHelperError(`boosting helper ${helper} failed`);
      if (spins < SPINS) continue;
      if (Date.now() > deadline) {
        // It is never asked again: a late answer must not pass for a later step's.
        Atomics.store(c, base + FAILED, 1);
        throw new BoostingHelperError(`boosting helper ${helper} did not answer within ${this.answerDeadlineMs} ms`);
      }
      Atomics.wait(c, base + DONE, seq - 1, 100);
    }
  }
}

/**
 * The helper's side, run by a training worker for the whole fit: waits for steps, takes
 * chunks of each, and leaves when the team closes.
 */
export function runBoostingHelper(task: BoostingHelperTask): void {
  const { control: c, helper, workspace, growing } = task;
  const base = helperBase(helper);
  if (Atomics.load(c, CLOSED) === 1) return;
  const runner = new ChunkRunner(c, workspace, growing);
  // Read before joining: the main thread posts a first step only once it sees JOINED.
  let seen = Atomics.load(c, base + SEQ);
  Atomics.store(c, base + JOINED, 1);
  try {
    for (;;) {
      const spinUntil = performance.now() + HELPER_SPIN_MS;
      for (let spins = 1; Atomics.load(c, base + SEQ) === seen; spins++) {
        if ((spins & 1023) === 0 && performance.now() > spinUntil) Atomics.wait(c, base + SEQ, seen, 1000);
      }
      seen = Atomics.load(c, base + SEQ);
      if (Atomics.load(c, CLOSED) === 1) return;
      runner.run();
      Atomics.store(c, base + DONE, seen); // publishes the arrays and results written
      Atomics.notify(c, base + DONE);
    }
  } catch (err) {
    Atomics.store(c, base + FAILED, 1);
    throw err;
  } finally {
    Atomics.store(c, base + JOINED, 0);
  }
}

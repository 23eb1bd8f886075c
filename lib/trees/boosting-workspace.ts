/**
 * The arrays a boosting fit works in: the binned rows, labels and margins, the gradient pairs
 * of each output, the node-ordered row indices, the features in use and the histograms.
 * When helpers share the work (lib/trees/boosting-team.ts) they live in shared memory, and
 * each histogram a helper may fill is a slot of one shared arena; otherwise they are ordinary
 * arrays and the arena is empty.
 */
import { BIN_SLOTS, type BinnedMatrix } from './binning.ts';
import type { HistogramInput } from './histogram-kernel.ts';
import { QUANT_WORDS } from './boosting-quantise.ts';
import { toShared } from '../parallel/shared-arrays.ts';

export interface BoostingWorkspace {
  /** bins[i * features + f] of every training row. */
  rowMajor: Uint8Array;
  /** bins[f * rows + i]: a split feature's column, for partitioning. */
  columnMajor: Uint8Array;
  rows: number;
  features: number;
  y: Int32Array;
  /** margins[i * outputs + k]: the ensemble's raw output k for row i so far. */
  margins: Float64Array;
  outputs: number;
  /** Per output: (gradient, hessian) of row r at [2r], [2r + 1]. */
  gradHess: Float64Array[];
  /**
   * Per output, with quantised gradients: each row's gradient and hessian packed into one
   * exact float64 (lib/trees/boosting-quantise.ts); null: histograms sum gradHess.
   */
  packed: Float64Array[] | null;
  /** Per output, QUANT_WORDS: the round's quantisation steps and scale. */
  quantSteps: Float64Array;
  /** Per class: the weight its rows' gradients are scaled by (null: 1). */
  classWeights: Float64Array | null;
  /** Row indices, reordered as the tree grows so that each node's rows are contiguous. */
  order: Int32Array;
  /** Where partitioning parks the rows going right, as long as `order`. */
  scratch: Int32Array;
  /** The features a tree uses, in used[0..usedCount). */
  used: Int32Array;
  /** Histogram slots that helpers can fill, histSize values each. */
  arena: Float64Array;
  histSize: number;
}

/** Shared histograms stay within this much memory; past it a node's histogram is built on one thread. */
const ARENA_BYTES = 64 * 1024 * 1024;

export function histogramSize(features: number): number {
  return features * BIN_SLOTS * 2;
}

export function createWorkspace(
  binned: BinnedMatrix,
  y: Int32Array,
  outputs: number,
  maxDepth: number,
  shared: boolean,
  classWeights: Float64Array | null = null,
  quantised = false,
): BoostingWorkspace {
  const { rows, features } = binned;
  const histSize = histogramSize(features);
  // Depth-wise growth keeps at most one histogram per node of a level, plus the one being built.
  const wanted = 2 ** Math.min(maxDepth, 24) + 2;
  const slots = shared ? Math.max(2, Math.min(wanted, Math.floor(ARENA_BYTES / (histSize * 8)))) : 0;
  const float64 = (length: number): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
  const int32 = (length: number): Int32Array =>
    shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  const place = shared ? toShared : <T>(array: T): T => array;
  return {
    rowMajor: place(binned.rowMajor),
    columnMajor: place(binned.columnMajor),
    rows,
    features,
    y: place(y),
    margins: float64(rows * outputs),
    outputs,
    gradHess: Array.from({ length: outputs }, () => float64(2 * rows)),
    packed: quantised ? Array.from({ length: outputs }, () => float64(rows)) : null,
    quantSteps: float64(outputs * QUANT_WORDS),
    classWeights,
    order: int32(rows),
    scratch: int32(rows),
    used: int32(features),
    arena: float64(slots * histSize),
    histSize,
  };
}

/** One histogram: its values, and its arena slot (-1 for one outside the arena). */
export interface Histogram {
  values: Float64Array;
  slot: number;
}

/** The view of arena slot `slot`. */
export function arenaSlot(workspace: BoostingWorkspace, slot: number): Float64Array {
  return workspace.arena.subarray(slot * workspace.histSize, (slot + 1) * workspace.histSize);
}

/** Hands out histograms, arena slots first, and takes them back for reuse. */
export class HistogramStore {
  private readonly freeShared: Histogram[] = [];
  private readonly freePlain: Histogram[] = [];
  private nextSlot = 0;
  private readonly slotCount: number;

  constructor(private readonly workspace: BoostingWorkspace) {
    this.slotCount = workspace.arena.length / workspace.histSize;
  }

  /** A histogram with unspecified contents (every build zeroes the slots it fills), an arena slot if one is free. */
  take(): Histogram {
    const shared = this.freeShared.pop();
    if (shared) return shared;
    if (this.nextSlot < this.slotCount) {
      const slot = this.nextSlot++;
      return { values: arenaSlot(this.workspace, slot), slot };
    }
    return this.freePlain.pop() ?? { values: new Float64Array(this.workspace.histSize), slot: -1 };
  }

  release(histogram: Histogram): void {
    (histogram.slot >= 0 ? this.freeShared : this.freePlain).push(histogram);
  }
}

/** The kernel's view of the workspace for a tree that uses `usedCount` features. */
export function histogramInput(workspace: BoostingWorkspace, usedCount: number): HistogramInput {
  return { rowMajor: workspace.rowMajor, features: workspace.features, used: workspace.used, usedCount };
}

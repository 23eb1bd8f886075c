/**
 * Exact k-nearest-neighbour search (Euclidean) with a k-d tree over a row-major point matrix.
 * Splits on the widest dimension at the median; queries descend the nearer side first and
 * skip a side only when its splitting plane is farther than the current k-th neighbour, so
 * results equal a brute-force search. Ties are ordered by point index, for determinism.
 */
export class KdTree {
  /** Permutation of point indices; each node owns a contiguous range of it. */
  private readonly order: Int32Array;
  private readonly nodeStart: number[] = [];
  private readonly nodeEnd: number[] = [];
  private readonly nodeDim: number[] = [];
  private readonly nodeValue: number[] = [];
  private readonly nodeLeft: number[] = [];
  private readonly nodeRight: number[] = [];
  private heapDist = new Float64Array(0);
  private heapIndex = new Int32Array(0);
  private heapSize = 0;
  private k = 0;

  constructor(
    private readonly points: Float64Array,
    readonly size: number,
    private readonly dims: number,
    private readonly leafSize = 16,
  ) {
    this.order = Int32Array.from({ length: size }, (_, i) => i);
    if (size > 0) this.build(0, size);
  }

  private build(start: number, end: number): number {
    const node = this.nodeStart.length;
    this.nodeStart.push(start);
    this.nodeEnd.push(end);
    this.nodeDim.push(-1);
    this.nodeValue.push(0);
    this.nodeLeft.push(-1);
    this.nodeRight.push(-1);
    if (end - start <= this.leafSize) return node;
    const dim = this.widestDimension(start, end);
    if (dim < 0) return node; // all points identical: a leaf however large
    const mid = (start + end) >>> 1;
    this.select(start, end - 1, mid, dim);
    this.nodeDim[node] = dim;
    this.nodeValue[node] = this.points[this.order[mid] * this.dims + dim];
    this.nodeLeft[node] = this.build(start, mid);
    this.nodeRight[node] = this.build(mid, end);
    return node;
  }

  private widestDimension(start: number, end: number): number {
    const { points, order, dims } = this;
    let best = -1;
    let bestSpread = 0;
    for (let d = 0; d < dims; d++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = start; i < end; i++) {
        const v = points[order[i] * dims + d];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > bestSpread) {
        bestSpread = hi - lo;
        best = d;
      }
    }
    return best;
  }

  /** Quickselect: order[lo..hi] rearranged so that position kth holds its sorted value on dim. */
  private select(lo: number, hi: number, kth: number, dim: number): void {
    const { points, order, dims } = this;
    const value = (i: number): number => points[order[i] * dims + dim];
    while (hi > lo) {
      const pivot = value((lo + hi) >>> 1);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (value(i) < pivot) i++;
        while (value(j) > pivot) j--;
        if (i <= j) {
          const tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
          i++;
          j--;
        }
      }
      if (kth <= j) hi = j;
      else if (kth >= i) lo = i;
      else return;
    }
  }

  /**
   * The k nearest points to query[offset .. offset + dims), nearest first, written to
   * outIndex/outDistance (squared distances). Returns how many were found (min(k, size)).
   */
  query(query: ArrayLike<number>, offset: number, k: number, outIndex: Int32Array, outDistance?: Float64Array): number {
    if (this.heapDist.length < k) {
      this.heapDist = new Float64Array(k);
      this.heapIndex = new Int32Array(k);
    }
    this.k = k;
    this.heapSize = 0;
    if (this.size > 0 && k > 0) this.search(0, query, offset);
    const found = this.heapSize;
    // Pop the max-heap from the back to get ascending order.
    for (let i = found - 1; i >= 0; i--) {
      outIndex[i] = this.heapIndex[0];
      if (outDistance) outDistance[i] = this.heapDist[0];
      this.popMax();
    }
    return found;
  }

  private search(node: number, query: ArrayLike<number>, offset: number): void {
    const dim = this.nodeDim[node];
    if (dim < 0) {
      const { points, order, dims } = this;
      for (let i = this.nodeStart[node]; i < this.nodeEnd[node]; i++) {
        const p = order[i];
        const base = p * dims;
        let dist = 0;
        for (let d = 0; d < dims; d++) {
          const diff = points[base + d] - query[offset + d];
          dist += diff * diff;
        }
        this.offer(dist, p);
      }
      return;
    }
    const diff = query[offset + dim] - this.nodeValue[node];
    const near = diff < 0 ? this.nodeLeft[node] : this.nodeRight[node];
    const far = diff < 0 ? this.nodeRight[node] : this.nodeLeft[node];
    this.search(near, query, offset);
    // <= keeps equal-distance points reachable, so index tie-breaking stays exact.
    if (this.heapSize < this.k || diff * diff <= this.heapDist[0]) this.search(far, query, offset);
  }

  /** Keeps the k best (smallest distance, then smallest index) in a max-heap. */
  private offer(dist: number, index: number): void {
    const hd = this.heapDist;
    const hi = this.heapIndex;
    if (this.heapSize < this.k) {
      let i = this.heapSize++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(dist, index, hd[parent], hi[parent])) break;
        hd[i] = hd[parent];
        hi[i] = hi[parent];
        i = parent;
      }
      hd[i] = dist;
      hi[i] = index;
      return;
    }
    if (!worse(hd[0], hi[0], dist, index)) return;
    this.siftDown(dist, index);
  }

  private popMax(): void {
    const last = --this.heapSize;
    if (last > 0) this.siftDown(this.heapDist[last], this.heapIndex[last]);
  }

  /** Places (dist, index) at the root and sifts it down. */
  private siftDown(dist: number, index: number): void {
    const hd = this.heapDist;
    const hi = this.heapIndex;
    const n = this.heapSize;
    let i = 0;
    while (true) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && worse(hd[child + 1], hi[child + 1], hd[child], hi[child])) child++;
      if (!worse(hd[child], hi[child], dist, index)) break;
      hd[i] = hd[child];
      hi[i] = hi[child];
      i = child;
    }
    hd[i] = dist;
    hi[i] = index;
  }
}

/** Whether neighbour a ranks after neighbour b. */
function worse(distA: number, indexA: number, distB: number, indexB: number): boolean {
  return distA > distB || (distA === distB && indexA > indexB);
}

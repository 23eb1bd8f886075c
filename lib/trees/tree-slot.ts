/**
 * A boosting tree in a slot of shared memory, so that a tree grown on a helper thread reaches
 * the fitting thread without a message: every field of lib/trees/tree.ts, numbers as they are
 * (float64 holds each exactly), so the tree read back is the tree written, value for value.
 *
 * Layout of a slot: [nodes, leaves], then NODE_FIELDS words per node, then one word per leaf.
 */
import { Tree } from './tree.ts';

const NODE_FIELDS = 7; // feature, splitBin, threshold, left, right, defaultLeft, cover
const HEADER = 2;

/** Nodes a depth-wise tree of `maxDepth` can have on `rows` rows: a full tree, and never more than 2 * rows - 1. */
export function treeCapacity(maxDepth: number, rows: number): number {
  return Math.min(2 ** Math.min(maxDepth + 1, 31) - 1, 2 * rows - 1);
}

/** Words a slot of `capacity` nodes takes (each node may be a leaf with one value). */
export function treeSlotSize(capacity: number): number {
  return HEADER + capacity * (NODE_FIELDS + 1);
}

export function writeTree(slot: Float64Array, tree: Tree): void {
  const capacity = (slot.length - HEADER) / (NODE_FIELDS + 1);
  if (tree.size > capacity || tree.outputsPerLeaf !== 1)
    throw new RangeError(`a tree of ${tree.size} nodes does not fit a slot of ${capacity}`);
  slot[0] = tree.size;
  slot[1] = tree.leafValueCount;
  for (let node = 0; node < tree.size; node++) {
    const at = HEADER + node * NODE_FIELDS;
    slot[at] = tree.feature[node];
    slot[at + 1] = tree.splitBin[node];
    slot[at + 2] = tree.threshold[node];
    slot[at + 3] = tree.left[node];
    slot[at + 4] = tree.right[node];
    slot[at + 5] = tree.defaultLeft[node];
    slot[at + 6] = tree.cover[node];
  }
  slot.set(tree.leafValues.subarray(0, tree.leafValueCount), HEADER + capacity * NODE_FIELDS);
}

export function readTree(slot: Float64Array): Tree {
  const capacity = (slot.length - HEADER) / (NODE_FIELDS + 1);
  const tree = new Tree(1);
  for (let node = 0; node < slot[0]; node++) {
    const at = HEADER + node * NODE_FIELDS;
    tree.addNode();
    tree.feature[node] = slot[at];
    tree.splitBin[node] = slot[at + 1];
    tree.threshold[node] = slot[at + 2];
    tree.left[node] = slot[at + 3];
    tree.right[node] = slot[at + 4];
    tree.defaultLeft[node] = slot[at + 5];
    tree.cover[node] = slot[at + 6];
  }
  const leaves = HEADER + capacity * NODE_FIELDS;
  tree.setLeafValues(slot.subarray(leaves, leaves + slot[1]));
  return tree;
}

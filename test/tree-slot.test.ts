/**
 * A tree grown on a helper thread reaches the fitting thread through a slot of shared memory:
 * what is read back is the tree written, field for field (Infinity thresholds and float32 leaf
 * values included), and a tree larger than its slot is refused rather than cut.
 */
import { describe, expect, it } from 'vitest';
import { Tree } from '../lib/trees/tree.ts';
import { readTree, treeCapacity, treeSlotSize, writeTree } from '../lib/trees/tree-slot.ts';

function sampleTree(): Tree {
  const tree = new Tree(1);
  const root = tree.addNode();
  const left = tree.addNode();
  const right = tree.addNode();
  tree.setSplit(root, 4, 17, Math.fround(0.3), true, left, right);
  tree.setCover(root, 120.5);
  const rightLeft = tree.addNode();
  const rightRight = tree.addNode();
  tree.setSplit(right, 2, 254, Infinity, false, rightLeft, rightRight);
  tree.setCover(right, 70.25);
  tree.setLeaf(left, [Math.fround(-0.1234567)]);
  tree.setCover(left, 50.25);
  tree.setLeaf(rightLeft, [Math.fround(0.5)]);
  tree.setLeaf(rightRight, [Math.fround(1e-9)]);
  return tree;
}

describe('a tree slot', () => {
  it('reads back the tree written, field for field', () => {
    const tree = sampleTree();
    const slot = new Float64Array(treeSlotSize(treeCapacity(2, 1000)));
    writeTree(slot, tree);
    const read = readTree(slot);
    expect(read.size).toBe(5);
    expect(read.leafValueCount).toBe(3);
    // The arrays may have room beyond the tree: compare the nodes and values in use.
    for (const field of ['feature', 'threshold', 'splitBin', 'left', 'right', 'defaultLeft', 'cover'] as const) {
      expect(read[field].subarray(0, read.size), field).toEqual(tree[field].subarray(0, tree.size));
    }
    expect(read.leafValues.subarray(0, 3)).toEqual(tree.leafValues.subarray(0, 3));
  });

  it('holds a full tree of its depth, no more nodes than the rows allow, and refuses a larger tree', () => {
    expect(treeCapacity(6, 1_000_000)).toBe(127);
    expect(treeCapacity(30, 10)).toBe(19);
    expect(() => writeTree(new Float64Array(treeSlotSize(3)), sampleTree())).toThrow(
      /a tree of 5 nodes does not fit a slot of 3/,
    );
  });

  it('keeps every node and leaf value when a tree outgrows the room it started with', () => {
    const tree = new Tree(2, 1);
    const nodes = Array.from({ length: 100 }, () => tree.addNode());
    nodes.forEach((node) => tree.setCover(node, node + 0.5));
    for (let node = 0; node < 98; node += 2)
      tree.setSplit(node, node % 7, node, node / 4, node % 4 === 0, node + 1, node + 2);
    for (let node = 1; node < 100; node += 2) tree.setLeaf(node, [node, -node]);
    expect(tree.size).toBe(100);
    expect(tree.leafValueCount).toBe(100);
    expect(Array.from(tree.cover.subarray(0, 100))).toEqual(nodes.map((n) => n + 0.5));
    expect(tree.feature[96]).toBe(5);
    expect(tree.threshold[96]).toBe(24);
    expect(tree.feature[98]).toBe(-1);
    expect(tree.leafValues[tree.left[99]]).toBe(99);
    expect(tree.leafValues[tree.left[99] + 1]).toBe(-99);
    expect(tree.leafValues[tree.left[1] + 1]).toBe(-1);
  });
});

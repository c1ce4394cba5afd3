import { buildGroupTree, type GroupTree } from "../../src/graph/groupTree";
import type { GraphTopology, GraphValues, ParamUpdate } from "../../src/protocol/graph";

/**
 * The snapshot the view currently shows, plus the indexes every feature needs
 * (who consumes a node, which nodes reach the loss, depth, the group tree).
 * Built once per topology.
 */
export interface GraphModel {
  topology: GraphTopology;
  values: GraphValues;
  updates: ParamUpdate[];
  step: number;
  loss: number;
  /** Consumers of node i are consumerList[consumerStart[i] .. consumerStart[i+1]). */
  consumerStart: Int32Array;
  consumerList: Int32Array;
  /** 1 when a path leads from the node to the root (the loss). */
  reachesRoot: Uint8Array;
  /** Longest path from any leaf: the layer of the node in the full graph. */
  depth: Int32Array;
  /** Groups to open one level at a time (src/graph/groupTree.ts). */
  tree: GroupTree;
  /** Per group, the gradient that colours it, when the runner sent aggregates (view/update) instead of every node's numbers; else computed from `values`. */
  groupGrad?: Float64Array;
}

export function buildGraphModel(topology: GraphTopology, values: GraphValues, updates: ParamUpdate[], step: number, loss: number): GraphModel {
  const n = topology.op.length;
  const { in0, in1 } = topology;
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (in0[i] >= 0) counts[in0[i] + 1]++;
    // A node using the same input twice (a * a) is one consumer, not two.
    if (in1[i] >= 0 && in1[i] !== in0[i]) counts[in1[i] + 1]++;
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const consumerStart = counts.slice();
  const fill = counts.slice(0, n);
  const consumerList = new Int32Array(consumerStart[n]);
  for (let i = 0; i < n; i++) {
    if (in0[i] >= 0) consumerList[fill[in0[i]]++] = i;
    if (in1[i] >= 0 && in1[i] !== in0[i]) consumerList[fill[in1[i]]++] = i;
  }
  // Creation order is topological, so one backward sweep marks everything that feeds the root.
  const reachesRoot = new Uint8Array(n);
  if (n > 0) reachesRoot[n - 1] = 1;
  for (let i = n - 1; i >= 0; i--) {
    if (!reachesRoot[i]) continue;
    if (in0[i] >= 0) reachesRoot[in0[i]] = 1;
    if (in1[i] >= 0) reachesRoot[in1[i]] = 1;
  }
  const depth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    if (in0[i] >= 0) d = depth[in0[i]] + 1;
    if (in1[i] >= 0) d = Math.max(d, depth[in1[i]] + 1);
    depth[i] = d;
  }
  return { topology, values, updates, step, loss, consumerStart, consumerList, reachesRoot, depth, tree: buildGroupTree(topology) };
}

export function consumersOf(m: GraphModel, i: number): Int32Array {
  return m.consumerList.subarray(m.consumerStart[i], m.consumerStart[i + 1]);
}

export function rootIndex(m: GraphModel): number {
  return m.topology.op.length - 1;
}

export function isLeaf(m: GraphModel, i: number): boolean {
  return m.topology.op[i] === 0;
}

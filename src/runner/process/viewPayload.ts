import { buildGroupTree, type GroupTree } from "../../graph/groupTree";
import { collapseUnits } from "../../graph/visibleUnits";
import type { GraphTopology, GraphValues } from "../../protocol/graph";

/**
 * What one view (the panel) shows, and the numbers it needs for it each step:
 * values of the nodes drawn on their own, and aggregates of the groups drawn
 * collapsed — computed in the runner process from the step's full values with
 * the same pure group tree (src/graph/groupTree.ts) the panel builds, so group
 * ids agree on both sides. A moons step then crosses to the panel as a few KB
 * instead of ~1 MB of every node's numbers.
 */

/** A view's subscription: the shape it was made for, the groups it has open (keys), and extra nodes it needs numbers for (selection, chain-rule neighbours, search hits). */
export interface ViewSubscription {
  hash: string;
  expanded: string[];
  nodes: Int32Array;
}

/** Numbers per aggregated group, in this order. */
/** extremeGrad: the finite gradient of largest magnitude, signed (its absolute value is the group's max |grad|; the sign colours the group). */
export const AGG = { count: 0, extremeGrad: 1, meanAbsGrad: 2, nonFinite: 3 } as const;
export const AGG_WIDTH = 4;

export interface ViewPayload {
  hash: string;
  /** Nodes whose numbers follow, ascending. */
  nodes: Int32Array<ArrayBuffer>;
  data: Float64Array<ArrayBuffer>;
  grad: Float64Array<ArrayBuffer>;
  /** Collapsed groups (ids in the shape's group tree), and AGG_WIDTH numbers for each (see AGG). */
  groups: Int32Array<ArrayBuffer>;
  agg: Float64Array<ArrayBuffer>;
}

/** What a subscription resolves to for one shape: computed when the subscription or the shape changes, not per step. */
export interface ResolvedView {
  hash: string;
  tree: GroupTree;
  nodes: Int32Array<ArrayBuffer>;
  groups: Int32Array<ArrayBuffer>;
}

/** The drawn nodes and collapsed groups of a subscription, plus its extra nodes (out-of-range ones dropped). */
export function resolveView(t: GraphTopology, sub: ViewSubscription, tree: GroupTree = buildGroupTree(t)): ResolvedView {
  const n = t.op.length;
  const { units } = collapseUnits(t, tree, new Set(sub.expanded));
  const wanted = new Uint8Array(n);
  const groups: number[] = [];
  for (const u of units) {
    if (u.kind === "node") wanted[u.node] = 1;
    else groups.push(u.group);
  }
  for (const i of sub.nodes) if (i >= 0 && i < n) wanted[i] = 1;
  let k = 0;
  for (let i = 0; i < n; i++) k += wanted[i];
  const nodes = new Int32Array(k);
  for (let i = 0, j = 0; i < n; i++) if (wanted[i]) nodes[j++] = i;
  return { hash: t.hash, tree, nodes, groups: Int32Array.from(groups.sort((a, b) => a - b)) };
}

/**
 * Per group of the tree: node count, the finite gradient of largest magnitude
 * (signed: its absolute value is max |grad|), mean |grad| over finite
 * gradients, and how many nodes have a non-finite value or gradient. One pass
 * over the nodes, one over the groups (children after parents, so reversed).
 */
export function groupAggregates(tree: GroupTree, values: GraphValues): Float64Array {
  const size = tree.size, { groupOf } = tree, { data, grad } = values;
  const max = new Float64Array(size), ext = new Float64Array(size), sum = new Float64Array(size), finite = new Float64Array(size), bad = new Float64Array(size);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i], d = data[i], x = grad[i];
    if (Number.isFinite(x)) {
      const a = Math.abs(x);
      if (a > max[g]) {
        max[g] = a;
        ext[g] = x;
      }
      sum[g] += a;
      finite[g]++;
    }
    if (!Number.isFinite(d) || !Number.isFinite(x)) bad[g]++;
  }
  for (let g = size - 1; g > 0; g--) {
    const p = tree.parent[g];
    if (max[g] > max[p]) {
      max[p] = max[g];
      ext[p] = ext[g];
    }
    sum[p] += sum[g];
    finite[p] += finite[g];
    bad[p] += bad[g];
  }
  const out = new Float64Array(size * AGG_WIDTH);
  for (let g = 0; g < size; g++) {
    out[g * AGG_WIDTH + AGG.count] = tree.count[g];
    out[g * AGG_WIDTH + AGG.extremeGrad] = finite[g] > 0 ? ext[g] : NaN;
    out[g * AGG_WIDTH + AGG.meanAbsGrad] = finite[g] > 0 ? sum[g] / finite[g] : NaN;
    out[g * AGG_WIDTH + AGG.nonFinite] = bad[g];
  }
  return out;
}

/** A step's payload for a resolved view, from the step's full values (one per node). */
export function viewPayload(view: ResolvedView, values: GraphValues): ViewPayload {
  const { nodes, groups, tree } = view;
  const data = new Float64Array(nodes.length), grad = new Float64Array(nodes.length);
  for (let j = 0; j < nodes.length; j++) {
    data[j] = values.data[nodes[j]];
    grad[j] = values.grad[nodes[j]];
  }
  const agg = new Float64Array(groups.length * AGG_WIDTH);
  if (groups.length > 0) {
    const all = groupAggregates(tree, values);
    for (let j = 0; j < groups.length; j++) agg.set(all.subarray(groups[j] * AGG_WIDTH, (groups[j] + 1) * AGG_WIDTH), j * AGG_WIDTH);
  }
  return { hash: view.hash, nodes: nodes.slice(), data, grad, groups: groups.slice(), agg };
}

/** Whether the ascending list holds node i. */
export function hasNode(nodes: Int32Array, i: number): boolean {
  let lo = 0, hi = nodes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid] === i) return true;
    if (nodes[mid] < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

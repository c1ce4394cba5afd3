import type { GraphTopology } from "../protocol/graph";
import { GroupKind, type GroupTree } from "./groupTree";

/**
 * What is drawn for a set of expanded groups: a node is drawn itself when
 * every group around it is open; otherwise its outermost closed group stands
 * for it (one "unit"). This is what keeps a 65k-node graph to a few dozen
 * elements, and it is the list of things a runner would send numbers for.
 */

export type Unit = { kind: "node"; node: number } | { kind: "group"; group: number; count: number };

export interface UnitGraph {
  /** In creation order of their first node, so reversed they follow backward(). */
  units: Unit[];
  /** Unit index of each node, or -1 when it is not shown (outside a focus view). */
  unitOf: Int32Array;
  /** Unit-level edges, [from0, to0, from1, to1, ...], no duplicates or self-loops. */
  unitEdges: Int32Array;
}

/** Per group: -1 when it and all its ancestors are open, else the outermost closed group among them. The root is always open. */
export function closedRep(tree: GroupTree, expanded: ReadonlySet<string>): Int32Array {
  const rep = new Int32Array(tree.size);
  rep[0] = -1;
  for (let g = 1; g < tree.size; g++) {
    const up = rep[tree.parent[g]];
    rep[g] = up !== -1 ? up : expanded.has(tree.key[g]) ? -1 : g;
  }
  return rep;
}

export function collapseUnits(t: GraphTopology, tree: GroupTree, expanded: ReadonlySet<string>): UnitGraph {
  const rep = closedRep(tree, expanded);
  const n = t.op.length;
  const units: Unit[] = [];
  const unitOfGroup = new Int32Array(tree.size).fill(-1);
  const unitOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rep[tree.groupOf[i]];
    if (r === -1) { unitOf[i] = units.length; units.push({ kind: "node", node: i }); continue; }
    if (unitOfGroup[r] === -1) { unitOfGroup[r] = units.length; units.push({ kind: "group", group: r, count: tree.count[r] }); }
    unitOf[i] = unitOfGroup[r];
  }
  return { units, unitOf, unitEdges: unitEdgesOf(t, unitOf, units.length) };
}

export function unitEdgesOf(t: GraphTopology, unitOf: Int32Array, unitCount: number): Int32Array {
  const { in0, in1 } = t;
  const seen = new Set<number>();
  const out: number[] = [];
  const add = (from: number, to: number) => {
    if (from < 0 || to < 0 || from === to) return;
    const key = from * unitCount + to;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(from, to);
  };
  for (let i = 0; i < unitOf.length; i++) {
    if (unitOf[i] < 0) continue;
    if (in0[i] >= 0) add(unitOf[in0[i]], unitOf[i]);
    if (in1[i] >= 0) add(unitOf[in1[i]], unitOf[i]);
  }
  return Int32Array.from(out);
}

/** How many units an expansion shows, without building it (O(groups)). */
export function visibleCount(tree: GroupTree, expanded: ReadonlySet<string>): number {
  const rep = closedRep(tree, expanded);
  let shown = 0;
  for (let g = 0; g < tree.size; g++) {
    if (rep[g] === -1) shown += tree.direct[g];
    else if (rep[g] === g && tree.count[g] > 0) shown++;
  }
  return shown;
}

/**
 * The most detailed uniform opening that stays within `threshold` units: the
 * engine's groups (the architecture the user wrote) level by level first, and
 * only once all of them fit open, the synthetic ones (source lines, calls,
 * ops) level by level too.
 */
export function initialExpansion(tree: GroupTree, threshold: number): Set<string> {
  let maxDepth = 0, maxEngineDepth = 0;
  for (let g = 1; g < tree.size; g++) {
    maxDepth = Math.max(maxDepth, tree.depth[g]);
    if (tree.kind[g] === GroupKind.engine) maxEngineDepth = Math.max(maxEngineDepth, tree.depth[g]);
  }
  const levels: ((g: number) => boolean)[] = [];
  for (let d = 1; d <= maxEngineDepth; d++) levels.push((g) => tree.kind[g] === GroupKind.engine && tree.depth[g] <= d);
  for (let d = 1; d <= maxDepth; d++) levels.push((g) => tree.kind[g] === GroupKind.engine || tree.depth[g] <= d);
  let best = new Set<string>();
  for (const open of levels) {
    const candidate = new Set<string>();
    for (let g = 1; g < tree.size; g++) if (open(g)) candidate.add(tree.key[g]);
    if (visibleCount(tree, candidate) > threshold) break;
    best = candidate;
  }
  return best;
}

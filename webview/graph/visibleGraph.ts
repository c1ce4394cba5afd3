import { collapseUnits, unitEdgesOf, type Unit, type UnitGraph } from "../../src/graph/visibleUnits";
import type { GraphModel } from "../model/graphModel";

/**
 * Which units the view materialises: the group tree opened as far as the
 * user (or the initial opening) chose, or a focus view — only the k-hop
 * neighbourhood of one node. The grouping itself is shared, pure code
 * (src/graph/visibleUnits.ts); the focus view needs the panel's consumer index.
 */

export type { Unit };

export interface VisibleGraph extends UnitGraph {
  /** A focus view that hit its node limit. */
  truncated?: boolean;
}

export type ViewMode =
  | { kind: "groups"; expanded: ReadonlySet<string> }
  /** The k-hop neighbourhood of `center`, nearest first, at most `maxNodes` nodes (a hub's neighbourhood can be the whole graph). */
  | { kind: "focus"; center: number; hops: number; maxNodes: number };

export function buildVisibleGraph(m: GraphModel, mode: ViewMode): VisibleGraph {
  return mode.kind === "focus" ? focusGraph(m, mode.center, mode.hops, mode.maxNodes) : collapseUnits(m.topology, m.tree, mode.expanded);
}

function focusGraph(m: GraphModel, center: number, hops: number, maxNodes: number): VisibleGraph {
  const t = m.topology;
  const n = t.op.length;
  const dist = new Int32Array(n).fill(-1);
  const queue = [center];
  dist[center] = 0;
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h];
    if (dist[v] >= hops) continue;
    const visit = (w: number) => { if (w >= 0 && dist[w] < 0 && queue.length < maxNodes) { dist[w] = dist[v] + 1; queue.push(w); } };
    visit(t.in0[v]);
    visit(t.in1[v]);
    for (let e = m.consumerStart[v]; e < m.consumerStart[v + 1]; e++) visit(m.consumerList[e]);
  }
  queue.sort((a, b) => a - b);
  const unitOf = new Int32Array(n).fill(-1);
  const units: Unit[] = queue.map((node, u) => { unitOf[node] = u; return { kind: "node", node }; });
  return { units, unitOf, unitEdges: unitEdgesOf(t, unitOf, units.length), truncated: queue.length >= maxNodes };
}
